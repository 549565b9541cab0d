package iamport

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// notice is a V1 webhook body (docs/providers.md §2.6).
type notice struct {
	ImpUID         string `json:"imp_uid"`
	MerchantUID    string `json:"merchant_uid"`
	Status         string `json:"status"`
	CancellationID string `json:"cancellation_id,omitempty"`
}

// webhookTimeout bounds one delivery; PortOne's first attempt waits 10 s to
// connect and 30 s to read.
const webhookTimeout = 40 * time.Second

// notify POSTs n to Options.NoticeURL, in the background: PortOne does not
// order its webhook with the buyer's redirect (§2.6), so neither does the
// sandbox. One attempt; the result is only logged. V1 webhooks are not
// signed, so there is nothing to sign.
func (s *Sandbox) notify(n notice) {
	if s.noticeURL == "" {
		return
	}
	body, _ := json.Marshal(n) // a struct of strings always marshals
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), webhookTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.noticeURL, bytes.NewReader(body))
		if err != nil {
			s.log.Warn("iamport sandbox: webhook not sent", "imp_uid", n.ImpUID, "err", err)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.webhook.Do(req)
		if err != nil {
			s.log.Warn("iamport sandbox: webhook failed", "imp_uid", n.ImpUID, "status", n.Status, "err", err)
			return
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		s.log.Info("iamport sandbox: webhook sent", "imp_uid", n.ImpUID, "status", n.Status, "http_status", resp.StatusCode)
	}()
}
