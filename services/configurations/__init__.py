"""Channel configurations: name rule, fields, marketing actions, lifecycle, checks and their runs
(on worker threads beside the pages).

Owns Draft -> Processing -> Active or Failed, and Active -> Deactivated. May import
`services.access`, `services.credentials`, `services.health`, `services.graph` and `services.store`.
"""
