# isort: off
from . import service_tally  # first: the tallies below inherit from it
# isort: on
from . import (
    res_partner,
    res_users,
    service_report_attempt,
    service_request,
    service_request_kpi,
    service_request_tally,
    service_rma,
    service_rma_advance,
    service_rma_tally,
    service_team,
    service_visit,
    service_visit_billing,
    service_zone,
    stock_lot,
    stock_move,
    stock_picking,
)
