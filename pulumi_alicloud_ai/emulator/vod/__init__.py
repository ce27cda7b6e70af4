"""The emulated ApsaraVideo VOD service: AI templates and AI image jobs (see docs/vod.md)."""
