"""Phone number health: the monitored fleet, its history as changes, and the views over it.

Owns recording observations, reading history (stretches, gaps, series), the changes in words, the
slice a screen shows, and the fleet at a glance. May import `services.access`, `services.graph`
(for its types) and `services.store`; never the poller or the pages.
"""
