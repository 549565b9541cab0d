package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/paybridge/paybridge/client"
)

const eventsUsage = `Usage:
  paybridge events list [--limit N] [--starting-after ID] [--all]
  paybridge events get ID
  paybridge events resend ID [--endpoint ENDPOINT_ID]
` + apiFlagsUsage

func runEvents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub, rest, err := subcommand("events", eventsUsage, []string{"list", "get", "resend"}, args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	summaries := map[string]string{
		"list":   "Prints a page of outbound webhook events, newest first, with their deliveries.",
		"get":    "Prints an event with its deliveries.",
		"resend": "Sends an event again (same webhook-id, same body) to every enabled endpoint\nsubscribed to it, or to --endpoint only.",
	}
	usageArgs := map[string]string{"get": " ID", "resend": " ID"}
	fs := newFlagSet("events "+sub+usageArgs[sub], summaries[sub], stderr)
	var af apiFlags
	af.register(fs, getenv)
	name := "events " + sub
	var (
		p        client.ListEventsParams
		all      *bool
		endpoint string
	)
	switch sub {
	case "list":
		fs.IntVar(&p.Limit, "limit", 0, "page size, 1–100 (server default 10)")
		fs.StringVar(&p.StartingAfter, "starting-after", "", "the page after this event id")
		all = fs.Bool("all", false, "follow the pages and print every event")
	case "resend":
		fs.StringVar(&endpoint, "endpoint", "", "send to this webhook endpoint only")
	}
	pos, err := parseInterleaved(fs, rest)
	if err != nil {
		return err
	}
	want, what := 1, "the event's id"
	if sub == "list" {
		want = 0
	}
	if err := wantArgs(name, pos, want, what); err != nil {
		return err
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	var out any
	switch sub {
	case "list":
		if *all {
			l := &client.EventList{Object: "list", Data: []*client.Event{}, URL: "/v1/events"}
			for e, err := range c.AllEvents(ctx, p) {
				if err != nil {
					return apiError(err)
				}
				l.Data = append(l.Data, e)
			}
			out = l
		} else {
			out, err = c.ListEvents(ctx, p)
		}
	case "get":
		out, err = c.GetEvent(ctx, pos[0])
	case "resend":
		out, err = c.ResendEvent(ctx, pos[0], client.ResendEventParams{EndpointID: endpoint})
	}
	if err != nil {
		return apiError(err)
	}
	return printJSON(stdout, out)
}
