"""The built-in Graph API simulator: a deterministic WSGI stand-in for Meta's WhatsApp Business Management API.

In-process (demo mode, ``GRAPH_API_URL=demo``)::

    simulator = Simulator(clock=clock)
    http = httpx.Client(transport=in_process_transport(simulator), base_url="http://graph.simulator.invalid")

Over real HTTP (tests, browser tests, benchmarks): ``serve(simulator) -> RunningSimulator`` (``.url``, ``.close()``)
or ``python -m services.simulator --port N [--wabas N --numbers-per-waba M]``.

Endpoints (any ``/v17.0`` .. ``/v30.0`` prefix; token as ``Authorization: Bearer`` or ``access_token``):
``GET debug_token?input_token=``, ``GET {business}/owned_whatsapp_business_accounts``,
``GET {business}/client_whatsapp_business_accounts``, ``GET {waba}``, ``GET {waba}/phone_numbers``,
``GET {phone-number}``, ``GET {waba}/message_templates`` (paged; filters status, category, language, name).
Control endpoints (no token): ``/_simulator/health``, ``faults`` (GET/POST/DELETE),
``requests``, ``reset``, ``clock`` (GET/POST ``{"now": iso}`` or ``{"advance_seconds": n}``), ``tokens`` (POST),
``webhooks`` (POST Meta's envelope or ``{"field": ..., "value": {...}}`` to send it; GET: how deliveries ended),
``templates`` (GET their state now; POST ``{"template_id": ..., "status": "PAUSED", "title": "FIRST_PAUSE"}`` to change
one now and send Meta's template webhooks for it).

Webhooks like Meta's: ``--webhook-url URL --app-secret S [--replay-days D]`` (or ``start_feed(simulator, ...)``)
posts each scheduled change Meta has a webhook for (portfolio limit, throughput upgrade, restriction; see
``webhook_feed``) as the clock passes it, signed ``X-Hub-Signature-256: sha256=<HMAC of the raw body>``, retried
with doubling backoff on any answer but 200 (``webhooks.WebhookSender``). Demo mode points it at the console's own
``/webhooks/whatsapp`` (``services/webhooks/demo_feed.py``).

The seeded demo portfolio (the same for every simulator; times are offsets from the anchor, which defaults to the
clock's now at construction rounded down to the hour):

- business 1000000000000001 "Jasper's Market Group"
    - owns WABA 2000000000000011 "Jasper's Market": numbers 3000000000000101 Jasper's Market (+1 631-555-0101),
      ...102 Jasper's Ice Cream, ...103 Jasper's Bakery
    - manages client WABA 2000000000000012 "Lucky Shrub" (owned by 1000000000000004 "Lucky Shrub Inc."):
      ...104 Lucky Shrub (+1 415-555-0104), ...105 Lucky Shrub Garden Center
- business 1000000000000002 "Aurora Coffee Co." owns WABA 2000000000000021 "Aurora Coffee": ...106 Aurora Coffee
  (+1 212-555-0106), ...107 Aurora Coffee Deliveries, ...108 Aurora Bakehouse
- business 1000000000000003 "Northwind Traders" owns WABA 2000000000000031 "Northwind Stores": 230 numbers
  3000000000031000 .. 3000000000031229 (3 pages at limit=100), reachable only with EAADEMOBIGWABA

Health at the anchor, and the history before it (days from the anchor):

- 101 Jasper's Market: GREEN, HIGH, TIER_UNLIMITED, CONNECTED. YELLOW -33..-31; portfolio limit TIER_100K ->
  TIER_UNLIMITED at -14; throughput STANDARD -> HIGH at -12.
- 102 Jasper's Ice Cream: GREEN, STANDARD. Drop and recovery: YELLOW at -24, RED at -21, YELLOW at -17, GREEN at -13.
- 103 Jasper's Bakery: GREEN, STANDARD. YELLOW -20..-18 and -6..-5; after the anchor YELLOW for hours 3-5 of
  every 5 hours (the live demo keeps moving).
- 104 Lucky Shrub: RED, STANDARD, TIER_250, FLAGGED. YELLOW at -9, RED at -6, FLAGGED at -5.
- 105 Lucky Shrub Garden Center: NA, STANDARD, TIER_250, PENDING (onboarded 3 days ago, name pending review).
- 106 Aurora Coffee: GREEN, STANDARD, TIER_10K. YELLOW -26..-25 and -10..-7; portfolio limit TIER_2K -> TIER_10K
  at -8; after the anchor YELLOW on day 3 of every 5 days.
- 107 Aurora Coffee Deliveries: YELLOW, STANDARD, TIER_10K, RESTRICTED. YELLOW -22..-20, YELLOW at -4,
  RESTRICTED at -2.
- 108 Aurora Bakehouse: GREEN, STANDARD, TIER_10K. YELLOW -15..-13.
- Northwind and scale numbers: a repeating YELLOW (sometimes RED) dip every 4-12 days, seeded by position.

Message templates (``templates``): 34 in the demo WABAs (marketing, utility, authentication; en_US, es, pt_BR, zh_CN)
with a pause and reinstatement, a drop to RED, a rejection and a disabled template in the last 35 days; 260 in
Northwind Stores for paging. Their changes go out as ``message_template_status_update`` / ``_quality_update``.

``Simulator.state_at(number, t)`` and ``Simulator.history(number, start, end)`` give the same health without HTTP.

Tokens: ``EAADEMOTOKEN`` (valid, businesses 1 and 2, expires anchor + 45 days), ``EAADEMOEXPIRED`` (expired at
anchor - 1 day: 190/463), ``EAADEMONOPERM`` (valid, lacks whatsapp_business_management: 200 on WABA calls),
``EAADEMOREVOKED`` (190/467), ``EAADEMOBIGWABA`` (valid, business 3 only, never expires), and with a scale
portfolio ``EAASCALETOKEN`` (business 1000000000000009, WABAs 29..., numbers 39...).
"""

from services.simulator.app import Simulator
from services.simulator.clock import ManualClock
from services.simulator.faults import Fault
from services.simulator.schedule import Health
from services.simulator.server import RunningSimulator, in_process_transport, serve

__all__ = ["Fault", "Health", "ManualClock", "RunningSimulator", "Simulator", "in_process_transport", "serve"]
