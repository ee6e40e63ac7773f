from datetime import datetime, time, timedelta

import pytz
from odoo import api, fields, models
from odoo.addons.rating.models.rating_data import RATING_LIMIT_MIN, RATING_LIMIT_SATISFIED
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.orm.domains import DomainAnd, DomainCondition
from odoo.tools import SQL, date_utils

from .service_request_tally import KPI_GROUPBY

MANAGER_GROUP = "service_desk.group_service_desk_manager"
CLOCKS = ("response", "arrival", "resolution")
# The dashboard's periods: what "this month / quarter / year" starts on.
PERIODS = ("month", "quarter", "year")
# What each card of the dashboard opens: the action and the model its
# domain is read on.
KPI_ACTIONS = {
    "service_levels": ("service_desk.service_request_action_kpi", "request"),
    "satisfaction": ("service_desk.service_request_action_kpi", "request"),
    "requests": ("service_desk.service_request_action_kpi", "request"),
    "turnaround": ("service_desk.service_rma_action_turnaround", "rma"),
    "repeat_repairs": ("service_desk.service_rma_action_repeat", "rma"),
}


class ServiceRequest(models.Model):
    """The service KPIs (response / arrival / resolution in time, satisfaction,
    shop turnaround, repeat repairs, requests per channel and severity), read
    for the managers' dashboard. The requests' and the RMAs' figures from
    their tallies (``service.request.tally``, ``service.rma.tally``: a few
    rows per day) for what the dashboard asks, else grouped reads of the
    records; one pass over the RMAs' repeat units (record rules applied): the
    number of queries does not grow with the number of requests or RMAs."""

    _inherit = "service.request"

    @api.model
    def get_kpi_summary(self, domain=None, rma_domain=None):
        """The figures of the requests in ``domain`` and the RMAs in
        ``rma_domain`` (every record the user may read when empty), as plain
        values: counts, rates in percent (False when nothing was measured),
        average turnaround in hours. Managers only; record rules apply."""
        self._check_kpi_access()
        domain = Domain(domain or Domain.TRUE)
        rma_domain = Domain(rma_domain or Domain.TRUE)

        # The requests counted once per clock results, channel, severity and
        # rating (the last one each, stored on the request by rating.mixin):
        # a few hundred groups at most. (Cheaper than conditional counts per
        # channel and severity: measured.)
        clocks = {clock: {"met": 0, "missed": 0} for clock in CLOCKS}
        channels = dict.fromkeys(dict(self._fields["channel"]._description_selection(self.env)), 0)
        severities = dict.fromkeys(dict(self._fields["severity"]._description_selection(self.env)), 0)
        satisfaction = {"rated": 0, "satisfied": 0, "requests_rated": 0, "rmas_rated": 0}
        total = 0
        for *results, channel, severity, rating, count in self._kpi_request_groups(domain):
            total += count
            channels[channel] += count
            severities[severity] += count
            for clock, result in zip(CLOCKS, results):
                if result:
                    clocks[clock][result] += count
            if rating >= RATING_LIMIT_MIN:
                _count_ratings(satisfaction, "requests_rated", count,
                               count if rating >= RATING_LIMIT_SATISFIED else 0)
        for figures in clocks.values():
            figures["rate"] = _percent(figures["met"], figures["met"] + figures["missed"])
        rated, satisfied, turnaround = self._kpi_rma_figures(rma_domain)
        _count_ratings(satisfaction, "rmas_rated", rated, satisfied)
        satisfaction["rate"] = _percent(satisfaction["satisfied"], satisfaction["rated"])

        return {
            "requests": total,
            **clocks,
            "satisfaction": satisfaction,
            "turnaround": turnaround,
            "repeat_repairs": self._kpi_repeat_repairs(rma_domain),
            "channels": self._kpi_selection_rows("channel", channels),
            "severities": self._kpi_selection_rows("severity", severities),
        }

    @api.model
    def get_kpi_dashboard(self, period="month", team_id=False):
        """What the dashboard shows: the summary of this month, quarter or
        year (in the user's time zone), for one team or all, and the teams to
        choose from."""
        self._check_kpi_access()
        domain, rma_domain = self._kpi_domains(period, team_id)
        teams = self.env["service.team"].search_fetch([], ["display_name"])
        return {
            "period": period,
            "team_id": team_id or False,
            "teams": [{"id": team.id, "name": team.display_name} for team in teams],
            "summary": self.get_kpi_summary(domain, rma_domain),
        }

    @api.model
    def action_open_kpi(self, kpi, period="month", team_id=False):
        """The report behind a card of the dashboard, filtered as the card."""
        self._check_kpi_access()
        if kpi not in KPI_ACTIONS:
            raise UserError(self.env._("Unknown service KPI: %(kpi)s.", kpi=kpi))
        xmlid, model = KPI_ACTIONS[kpi]
        domain, rma_domain = self._kpi_domains(period, team_id)
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = list(domain if model == "request" else rma_domain)
        return action

    # -- helpers -----------------------------------------------------------------

    def _check_kpi_access(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only service desk administrators see the service KPIs."))
        self.check_access("read")
        self.env["service.rma"].check_access("read")

    def _kpi_domains(self, period, team_id):
        """The requests reported and the RMAs taken in since the start of this
        ``period`` in the user's time zone, of team ``team_id`` when given."""
        if period not in PERIODS:
            raise UserError(self.env._("Unknown period: %(period)s.", period=period))
        tz = pytz.timezone(self.env.user.tz or "UTC")
        today = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date()
        start = date_utils.start_of(today, period)
        since = tz.localize(datetime.combine(start, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        domain = Domain("date_request", ">=", since)
        rma_domain = Domain("date_intake", ">=", since)
        if team_id:
            domain &= Domain("team_id", "=", int(team_id))
            rma_domain &= Domain("team_id", "=", int(team_id))
        return domain, rma_domain

    def _kpi_request_groups(self, domain):
        """The requests in ``domain`` counted per clock results, channel,
        severity and last rating, as ``_read_group`` rows (``_kpi_groups``)."""
        return self._kpi_groups(
            "service.request.tally", domain,
            lambda domain: self._read_group(domain, list(KPI_GROUPBY), ["__count"]),
        )

    def _kpi_rma_groups(self, rma_domain):
        """The RMAs in ``rma_domain`` counted per last rating and repair done,
        with the hours of their shop turnaround and how many were measured:
        ``(rating, repaired, count, hours, timed)`` rows (``_kpi_groups``)."""
        return self._kpi_groups("service.rma.tally", rma_domain, self._kpi_rma_read_groups)

    def _kpi_groups(self, tally_name, domain, read_groups):
        """The records of ``domain`` grouped as the report counts them: read
        with ``read_groups(domain)`` (record rules applied), or summed from
        the tally ``tally_name`` when that gives the same answer.

        The tally answers when ``domain`` is what the dashboard asks (every
        record, or those since a moment, of one team or all) and the user's
        record rules on the records come down to the company rule; the hours
        before the first whole day (UTC) of the period are read from the
        records themselves. For any other domain or rule, ``read_groups``."""
        tally = self.env[tally_name].sudo()
        filters = self._kpi_tally_filters(domain, tally._tally_day_field)
        companies = self._kpi_tally_companies(tally._tally_model)
        if filters is None or companies is False:
            return read_groups(domain)
        since, team_id = filters
        since_day, groups = None, []
        if since:
            since_day = since.date()
            midnight = datetime.combine(since_day, time.min)
            if since != midnight:
                since_day += timedelta(days=1)
                first_hours = Domain(tally._tally_day_field, "<", midnight + timedelta(days=1))
                groups = read_groups(domain & first_hours)
        return groups + tally._report_groups(companies, since_day, team_id)

    @api.model
    def _kpi_tally_filters(self, domain, date_field):
        """``(since, team_id)`` when ``domain`` asks for the records whose
        ``date_field`` is ``since`` or later (None: any time) of team
        ``team_id`` (None: any team) and nothing else, which a tally answers;
        None otherwise."""
        if domain.is_true():
            return None, None
        if isinstance(domain, DomainAnd):
            conditions = domain.children
        else:
            conditions = [domain]
        since = team_id = None
        for condition in conditions:
            if not isinstance(condition, DomainCondition):
                return None
            test = (condition.field_expr, condition.operator)
            if test == (date_field, ">=") and since is None and isinstance(condition.value, datetime):
                since = condition.value
            elif test == ("team_id", "=") and team_id is None and type(condition.value) is int:
                team_id = condition.value
            else:
                return None
        return since, team_id

    def _kpi_tally_companies(self, model_name):
        """The companies the user reads the records of ``model_name`` of,
        when a tally can answer for the record rules: None for every company
        (superuser, or no rule), the allowed companies when the company rule
        is the only one that limits the user; False when another rule does (a
        team's, say), which only a read of the records themselves applies."""
        if self.env.su:
            return None
        rules = self.env["ir.rule"]._compute_domain(model_name, "read")
        if rules.is_true():
            return None
        if rules == Domain("company_id", "in", self.env.companies.ids).optimize(self.env[model_name]):
            return self.env.companies.ids
        return False

    def _kpi_rma_figures(self, rma_domain):
        """The RMAs in ``rma_domain``: rated and satisfied by their last
        rating, and the shop turnaround of the repairs done, hours from the
        unit's receipt to the RMA done."""
        rated = satisfied = done = timed = 0
        hours = 0.0
        for rating, repaired, count, rma_hours, rma_timed in self._kpi_rma_groups(rma_domain):
            if rating >= RATING_LIMIT_MIN:
                rated += count
                satisfied += count if rating >= RATING_LIMIT_SATISFIED else 0
            if repaired:
                done += count
                hours += rma_hours or 0.0
                timed += rma_timed or 0
        hours = hours / timed if timed else 0.0
        return rated, satisfied, {"rmas": done, "hours": round(hours, 1), "days": round(hours / 24, 1)}

    def _kpi_rma_read_groups(self, rma_domain):
        """``_kpi_rma_groups`` read from the RMAs themselves: one grouped
        query, record rules applied."""
        rmas = self.env["service.rma"]
        query = rmas._search(rma_domain)
        if query.is_empty():
            return []

        def column(fname):
            return rmas._field_to_sql(query.table, fname, query)

        hours = column("turnaround_hours")
        repaired = SQL("%s = %s AND %s IS NOT NULL", column("state"), "done", column("date_received"))
        keys = [SQL("COALESCE(%s, 0)", column("rating_last_value")), SQL("COALESCE(%s, FALSE)", repaired)]
        query.groupby = SQL(", ").join(keys)
        return self.env.execute_query(query.select(
            *keys, SQL("COUNT(*)::int"), SQL("SUM(COALESCE(%s, 0))", hours), SQL("COUNT(%s)::int", hours),
        ))

    def _kpi_repeat_repairs(self, rma_domain):
        """Units with two RMAs or more among ``rma_domain``, per product: the
        units grouped in the database, one row per product back (record
        rules applied)."""
        rmas = self.env["service.rma"]
        query = rmas._search(rma_domain & Domain("lot_id", "!=", False))
        groups = []
        if not query.is_empty():
            product = rmas._field_to_sql(query.table, "product_id", query)
            query.groupby = SQL(", ").join([product, rmas._field_to_sql(query.table, "lot_id", query)])
            query.having = SQL("COUNT(*) >= %s", 2)
            units = query.select(SQL("%s AS product_id", product), SQL("COUNT(*) AS rmas"))
            groups = self.env.execute_query(SQL(
                "SELECT product_id, COUNT(*)::int, SUM(rmas)::int FROM (%s) AS units GROUP BY product_id",
                units,
            ))
        # Named as a many2one's value is (fields.Many2one.convert_to_read):
        # the RMAs are the user's to read, so are their products' names.
        # Only what the names are made of is read, not the dozens of other
        # columns of the products and their templates.
        products = self.env["product.product"].sudo().browse([product_id for product_id, _u, _r in groups])
        products.fetch(["default_code", "product_tmpl_id"])
        products.product_tmpl_id.fetch(["name"])
        names = {product.id: product.display_name for product in products}
        rows = [
            {"product_id": product_id or False, "units": units, "rmas": count,
             "name": names.get(product_id, False)}
            for product_id, units, count in groups
        ]
        rows.sort(key=lambda row: (-row["units"], -row["rmas"], row["name"]))
        return {
            "units": sum(row["units"] for row in rows),
            "rmas": sum(row["rmas"] for row in rows),
            "products": rows,
        }

    def _kpi_selection_rows(self, fname, counts):
        labels = dict(self._fields[fname]._description_selection(self.env))
        return [{"key": key, "label": labels[key], "count": count} for key, count in counts.items()]


def _count_ratings(figures, key, rated, satisfied):
    """Add ``rated`` records, ``satisfied`` of them satisfied, under ``key``."""
    figures["rated"] += rated
    figures[key] += rated
    figures["satisfied"] += satisfied


def _percent(part, whole):
    return round(100.0 * part / whole, 1) if whole else False
