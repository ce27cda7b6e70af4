"""The emulated Security Token Service: AssumeRole and GetCallerIdentity, for multi-account tests."""
