package webhook

import (
	"errors"
	"net/netip"
	"testing"
)

func TestBlocked(t *testing.T) {
	for _, s := range []string{
		"127.0.0.1", "127.255.255.254", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.255", "224.0.0.1", "255.255.255.255",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "fc00::1", "fd00::1",
		"fe80::1", "ff02::1", "64:ff9b::7f00:1", "fd00:ec2::254",
	} {
		if !Blocked(netip.MustParseAddr(s)) {
			t.Errorf("Blocked(%s) = false", s)
		}
	}
	for _, s := range []string{"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"} {
		if Blocked(netip.MustParseAddr(s)) {
			t.Errorf("Blocked(%s) = true", s)
		}
	}
}

func TestDialer_Control(t *testing.T) {
	d := &Dialer{}
	for _, a := range []string{"127.0.0.1:80", "[::1]:443", "[::ffff:127.0.0.1]:80", "169.254.169.254:80", "10.0.0.1:8080"} {
		if err := d.control("tcp", a, nil); !errors.Is(err, ErrBlocked) {
			t.Errorf("control(%s) = %v, want ErrBlocked", a, err)
		}
	}
	if err := d.control("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("control(public) = %v", err)
	}
	if err := (&Dialer{AllowPrivate: true}).control("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("AllowPrivate: control = %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	for _, u := range []string{
		"https://shop.example.com/hooks", "http://shop.example.com:8080/x?y=1", "https://93.184.216.34/h",
	} {
		if err := CheckURL(u, false); err != nil {
			t.Errorf("CheckURL(%s) = %v", u, err)
		}
	}
	for _, u := range []string{
		"", "shop.example.com", "ftp://shop.example.com", "file:///etc/passwd", "gopher://shop.example.com",
		"javascript:alert(1)", "https://", "https://user:pw@shop.example.com", "http://127.0.0.1", "http://localhost",
		"http://LOCALHOST.", "http://api.localhost", "http://0.0.0.0", "http://2130706433", "http://0177.0.0.1",
		"http://0x7f.0.0.1", "http://[::1]", "http://[::ffff:127.0.0.1]", "http://10.0.0.1", "http://172.16.0.1",
		"http://192.168.1.1", "http://169.254.169.254", "http://metadata.google.internal", "https://shop.example.com/#f",
	} {
		if err := CheckURL(u, false); err == nil {
			t.Errorf("CheckURL(%q) accepted", u)
		}
	}
	if err := CheckURL("http://127.0.0.1:9999/hooks", true); err != nil {
		t.Errorf("AllowPrivate: %v", err)
	}
	if err := CheckURL("file:///etc/passwd", true); err == nil {
		t.Error("AllowPrivate accepts file://")
	}
}
