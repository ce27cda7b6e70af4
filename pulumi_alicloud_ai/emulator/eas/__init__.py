"""The emulated PAI-EAS service (2021-07-01, ROA): app services and their lifecycle."""
