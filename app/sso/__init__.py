"""Single sign-on with OpenID Connect (docs/sso.md)."""
