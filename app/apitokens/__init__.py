"""Personal API tokens: minting, listing, revoking, audit, and authenticating with one."""
