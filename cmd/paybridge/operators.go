package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/console"
	"github.com/paybridge/paybridge/internal/payment"
)

const operatorsUsage = `Usage:
  paybridge operators create --email E --role owner|admin|viewer [--merchant ID] [--password-stdin]
                                   create a console operator; without --password-stdin a password
                                   is generated and printed once
  paybridge operators list         list the operators (never their passwords)
  paybridge operators password --email E [--password-stdin]
                                   set a new password (generated without --password-stdin); ends
                                   the operator's sessions
  paybridge operators disable --email E    sign the operator out and refuse sign-in
  paybridge operators enable --email E     allow sign-in again (also lifts a lock-out)
Roles: viewer reads; admin also refunds, resends webhooks and manages endpoints; owner also
manages operators, merchants and API keys. --merchant limits the operator to one merchant.
`

// stdin is where --password-stdin reads; tests replace it.
var stdin io.Reader = os.Stdin

// operatorsGroup is "paybridge operators" and its subcommands.
var operatorsGroup = group{name: "operators", usage: operatorsUsage, subs: []subInfo{
	{"create", "", "Creates an operator of the console at /console."},
	{"list", "", "Lists the operators."},
	{"password", "", "Sets an operator's password and ends the operator's sessions."},
	{"disable", "", "Disables an operator: its sessions end and sign-in is refused."},
	{"enable", "", "Enables an operator again and lifts any lock-out."},
}}

func runOperators(ctx context.Context, cmd *command, cfg *config.Config, stdout, stderr io.Writer) error {
	sub, fs := cmd.sub, cmd.fs
	email := fs.String("email", "", "the operator's email")
	role := fs.String("role", "", "owner, admin or viewer (create)")
	merchant := fs.String("merchant", "", "limit the operator to this merchant (create; default: every merchant)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
	if err := fs.Parse(cmd.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("operators %s: unexpected argument %q", sub, fs.Arg(0))
	}
	password := func() (string, bool, error) {
		if !*fromStdin {
			return console.GeneratePassword(), true, nil
		}
		line, err := bufio.NewReader(io.LimitReader(stdin, console.MaxPasswordLen+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("read the password from stdin: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if err := console.CheckPassword(pw); err != nil {
			return "", false, cliError(err)
		}
		return pw, false, nil
	}
	st, err := openStore(ctx, *cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	find := func() (*payment.Operator, error) {
		if *email == "" {
			return nil, fmt.Errorf("operators %s: --email is required", sub)
		}
		op, err := st.FindOperatorByEmail(ctx, strings.ToLower(strings.TrimSpace(*email)))
		return op, cliError(err)
	}
	switch sub {
	case "create":
		if *email == "" || *role == "" {
			return errors.New("operators create: --email and --role are required")
		}
		if *merchant != "" {
			if _, err := st.FindMerchantByID(ctx, *merchant); err != nil {
				return cliError(err)
			}
		}
		pw, generated, err := password()
		if err != nil {
			return err
		}
		op, err := console.NewOperator(*email, *role, *merchant, pw, time.Now())
		if err != nil {
			return cliError(err)
		}
		if err := st.CreateOperator(ctx, op); err != nil {
			return cliError(err)
		}
		if err := st.InsertAudit(ctx, &payment.AuditEntry{OperatorEmail: "cli", MerchantID: op.MerchantID,
			Action: "operator_created", Target: op.ID, Detail: op.Email + " (" + op.Role + ") from the command line"}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "created operator %s (%s); sign in at %s/console\n", op.Email, op.Role, consoleBase(*cfg))
		if generated {
			fmt.Fprintf(stderr, "password (shown once):\n")
			fmt.Fprintln(stdout, pw)
		}
	case "list":
		ops, err := st.FindOperators(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "id\temail\trole\tmerchant\tstatus\tcreated")
		now := time.Now()
		for _, o := range ops {
			status := "active"
			switch {
			case !o.DisabledAt.IsZero():
				status = "disabled"
			case now.Before(o.LockedUntil):
				status = "locked until " + o.LockedUntil.Format(time.RFC3339)
			}
			m := o.MerchantID
			if m == "" {
				m = "*"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Email, o.Role, m, status, o.CreatedAt.Format(time.RFC3339))
		}
		tw.Flush()
	case "password":
		op, err := find()
		if err != nil {
			return err
		}
		pw, generated, err := password()
		if err != nil {
			return err
		}
		hash, err := console.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := st.SetOperatorPassword(ctx, op.ID, hash); err != nil {
			return cliError(err)
		}
		if err := st.InsertAudit(ctx, &payment.AuditEntry{OperatorEmail: "cli", MerchantID: op.MerchantID,
			Action: "operator_password_set", Target: op.ID, Detail: op.Email + " from the command line"}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "new password set for %s; its sessions have ended\n", op.Email)
		if generated {
			fmt.Fprintln(stdout, pw)
		}
	case "disable", "enable":
		op, err := find()
		if err != nil {
			return err
		}
		if err := st.SetOperatorDisabled(ctx, op.ID, sub == "disable"); err != nil {
			return cliError(err)
		}
		if err := st.InsertAudit(ctx, &payment.AuditEntry{OperatorEmail: "cli", MerchantID: op.MerchantID,
			Action: "operator_" + sub + "d", Target: op.ID, Detail: op.Email + " from the command line"}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%sd %s\n", sub, op.Email)
	}
	return nil
}

// consoleBase is where the console is reached, for the hint after create.
func consoleBase(cfg config.Config) string {
	if cfg.PublicURL != "" {
		return strings.TrimRight(cfg.PublicURL, "/")
	}
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "localhost" + addr
	}
	return "http://" + addr
}
