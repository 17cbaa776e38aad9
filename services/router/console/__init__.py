"""The agency console (`/can-bo/`) and the agencies' HTTP API (`/api/v1/`).

Officers see their own agency's queue only; every action becomes an agency command on the
actions topic, staged in the router's outbox, so the router's consumer checks and applies it
exactly as it does a command from an agency's own system. See
docs/decisions/0004-console-access.md.
"""
