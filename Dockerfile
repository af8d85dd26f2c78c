# copbot as a container: a static binary (modernc.org/sqlite needs no cgo) on
# an empty base, run as a non-root user, its database on a volume.
#
#   docker build -t copbot .
#   docker run -d --name copbot -p 127.0.0.1:8080:8080 -v copbot-data:/data \
#     -e COPBOT_SLACK_BOT_TOKEN=xoxb-… -e COPBOT_SLACK_SIGNING_SECRET=… \
#     -e COPBOT_SLACK_CHANNEL=C0123ABCD -e COPBOT_COORDINATORS=slack:U0123ABCD \
#     --stop-timeout 30 copbot
#
# .ci/run builds the same binary with the same command (see "static binary").

FROM golang:1.27.3-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# -buildvcs stamps the commit for `copbot version` when .git is in the
# context; timetzdata embeds the time zones (the image has none).
RUN go build -buildvcs=auto -tags timetzdata -ldflags='-s -w' -o /out/copbot . \
 && /out/copbot version \
 && mkdir -p /out/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/copbot /copbot
# The volume's mount point, owned by the user copbot runs as.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
WORKDIR /data
# Configuration comes from the environment (see config.example.toml for the
# COPBOT_* variables), or from a file mounted at COPBOT_CONFIG.
ENV COPBOT_DB=/data/copbot.db COPBOT_LISTEN=:8080 COPBOT_LOG_FORMAT=json
EXPOSE 8080
# SIGTERM: copbot stops taking requests and finishes the rest within
# [http] stop_timeout (20 s); give it 30 s (docker run --stop-timeout 30).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 CMD ["/copbot", "healthcheck"]
ENTRYPOINT ["/copbot"]
CMD ["serve"]
