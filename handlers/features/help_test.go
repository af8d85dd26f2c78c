package features

import (
	"context"
	"copbot/handlers"
	"strings"
	"testing"
)

// TestHelpListsEveryCommand: help is built from the installed commands, so every
// feature's commands appear, coordinator ones in their own section, and
// every help text exists in both languages.
func TestHelpListsEveryCommand(t *testing.T) {
	s, _ := mtService(t, nil)
	s.Install(handlers.Parts{Commands: []*handlers.Command{{Names: []string{"zzfake"}, Coordinator: true, HelpKey: "help_coordinator",
		Run: func(context.Context, *handlers.Call) handlers.Reply { return handlers.Reply{} }}}})
	for _, lang := range []string{"en", "fr"} {
		r := mtAsk(s, "x", lang, mtWord(lang, "help", "aide"))
		if r2 := mtAsk(s, "x", "", mtWord(lang, "help", "aide")); r2.Text != r.Text {
			t.Errorf("%s: the command word does not set the language", lang)
		}
		everyone, coord := mtSection(r, 0), mtSection(r, 1)
		for _, cmd := range s.Commands() {
			line := s.Translator().T(lang, cmd.HelpKey, map[string]any{"Slash": "/cop"})
			if line == cmd.HelpKey {
				t.Errorf("%s: %s has no %s text", lang, cmd.Names[0], cmd.HelpKey)
			}
			section := everyone
			if cmd.Coordinator {
				section = coord
			}
			if !strings.Contains(section, "• "+line) {
				t.Errorf("%s: help for %s (%q) not in its section", lang, cmd.Names[0], line)
			}
		}
	}
	if r := mtAsk(s, "x", "", ""); r.Kind != "help" {
		t.Errorf("empty command: %s", r.Kind)
	}
}

func TestHelpForCommand(t *testing.T) {
	s, _ := mtService(t, nil)
	tests := []struct {
		locale, text string
		wants        []string
	}{
		{"", "help join", []string{"`/cop join` — join the Community", "Federal members leave the place empty"}},
		{"fr", "aide rejoindre", []string{"`/cop rejoindre` — adhérer", "Les membres fédéraux laissent le lieu vide"}},
		{"", "help qui", []string{"`/cop who PLACE`", "Île-du-Prince-Édouard"}},
		{"", "help coordinator", []string{"who the coordinators are", "Coordinators also type `coordinators add|remove PLATFORM:ID`"}},
		{"fr", "aide coordination", []string{"`/cop coordination` — qui fait partie de l’équipe de coordination"}},
		{"", "help gaps", []string{"`/cop gaps`"}},
		{"", "help nothing", []string{"There is no command “nothing”."}},
	}
	for _, tt := range tests {
		mtContains(t, tt.text, mtAsk(s, "x", tt.locale, tt.text).Text, tt.wants...)
	}
}
