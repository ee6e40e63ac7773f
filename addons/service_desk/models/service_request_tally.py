from odoo import api, fields, models
from odoo.tools import SQL

# What the KPI report groups the requests by, as SQL over a row of
# service_request (a transition table's or the table's own), in the order of
# the tally's columns.
TALLY_KEYS = (
    ("company_id", "company_id"),
    ("team_id", "team_id"),
    ("day", "date_request::date"),
    ("channel", "channel"),
    ("severity", "severity"),
    ("response_sla", "response_sla"),
    ("arrival_sla", "arrival_sla"),
    ("resolution_sla", "resolution_sla"),
    ("rating", "COALESCE(rating_last_value, 0)"),
)
# The requests' fields the KPI report groups by, in the order it unpacks
# them (get_kpi_summary), and the tally's columns that hold them.
KPI_GROUPBY = ("response_sla", "arrival_sla", "resolution_sla", "channel", "severity", "rating_last_value")
REPORT_KEYS = (*KPI_GROUPBY[:-1], "rating")
# The requests' fields the keys are made of.
REQUEST_FIELDS = ("company_id", "team_id", "date_request", *KPI_GROUPBY)
# A row's change of the count: in (inserted, or as it is after an update) or
# out (deleted, or as it was before).
COUNTED, UNCOUNTED = SQL("1"), SQL("-1")


def _keys_sql():
    """The tally's key columns of a row of service_request."""
    return SQL(", ").join(
        SQL("%s AS %s", SQL(expression), SQL.identifier(name)) for name, expression in TALLY_KEYS
    )


def _columns_sql():
    return SQL(", ").join(SQL.identifier(name) for name, _expression in TALLY_KEYS)


def _tally_insert(changes):
    """INSERT into the tally what the rows of ``changes`` (SQL with the key
    columns and a signed ``change``) add up to, key by key; no row for a key
    whose changes cancel out."""
    return SQL(
        "INSERT INTO service_request_tally (%(columns)s, count) "
        "SELECT %(columns)s, SUM(change) FROM (%(changes)s) AS changes "
        "GROUP BY %(columns)s HAVING SUM(change) != 0",
        columns=_columns_sql(), changes=changes,
    )


def _rows(source, change):
    """The key columns of the rows of ``source`` (a table of requests) and
    their ``change`` of the count."""
    return SQL("SELECT %s, %s AS change FROM %s", _keys_sql(), change, SQL.identifier(source))


class ServiceRequestTally(models.Model):
    """The service requests counted per company, team, day (UTC) and what the
    KPI report groups them by: channel, severity, the three clocks' results
    and the last rating.

    PostgreSQL keeps it: statement triggers on ``service_request`` append,
    for every INSERT, UPDATE and DELETE, one row per key with the change of
    the count (rows are never updated, so the triggers take no lock that a
    concurrent request would wait for). Whatever writes the requests, the
    ORM, a stored compute's flush, an import or plain SQL, the tally follows
    in the same transaction. A daily cron folds the rows of each key into
    one. The KPI report then sums a few rows per day instead of reading every
    request (``service.request.get_kpi_summary``)."""

    _name = "service.request.tally"
    _description = "Service request tally"
    _log_access = False
    _order = "day desc, id"

    # Plain integers, not many2ones: the triggers write rows for a team or a
    # company being deleted (their requests' references are set null in the
    # same statement), which a foreign key would refuse.
    company_id = fields.Integer(string="Company ID", required=True, readonly=True)
    team_id = fields.Integer(string="Team ID", readonly=True)
    day = fields.Date(required=True, readonly=True, help="The day the requests were reported on (UTC).")
    channel = fields.Char(readonly=True)
    severity = fields.Char(readonly=True)
    response_sla = fields.Char(string="Response", readonly=True)
    arrival_sla = fields.Char(string="Arrival on site", readonly=True)
    resolution_sla = fields.Char(string="Resolution in time", readonly=True)
    rating = fields.Float(string="Last rating", readonly=True)
    count = fields.Integer(string="Change of the count", required=True, readonly=True)

    _company_day_index = models.Index("(company_id, day)")

    def init(self):
        """The triggers on service_request, and the tally recounted from the
        requests (on install and on every update of the add-on)."""
        cr = self.env.cr
        cr.execute(SQL(
            """CREATE OR REPLACE FUNCTION service_request_tally() RETURNS trigger
               LANGUAGE plpgsql AS $tally$
               BEGIN
                   IF TG_OP = 'INSERT' THEN
                       %(inserted)s;
                   ELSIF TG_OP = 'DELETE' THEN
                       %(deleted)s;
                   ELSE
                       %(updated)s;
                   END IF;
                   RETURN NULL;
               END
               $tally$""",
            inserted=_tally_insert(_rows("new_rows", COUNTED)),
            deleted=_tally_insert(_rows("old_rows", UNCOUNTED)),
            updated=_tally_insert(
                SQL("%s UNION ALL %s", _rows("new_rows", COUNTED), _rows("old_rows", UNCOUNTED)),
            ),
        ))
        for event, transitions in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            trigger = SQL.identifier(f"service_request_tally_{event.lower()}")
            cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON service_request", trigger))
            cr.execute(SQL(
                "CREATE TRIGGER %s AFTER %s ON service_request REFERENCING %s "
                "FOR EACH STATEMENT EXECUTE FUNCTION service_request_tally()",
                trigger, SQL(event), SQL(transitions),
            ))
        self._recount()

    def _recount(self):
        """Count every request again: the tally as if it had been kept from
        the first request on, one row per key."""
        self.env.cr.execute(SQL("DELETE FROM service_request_tally"))
        self.env.cr.execute(_tally_insert(_rows("service_request", COUNTED)))
        # Statistics for the planner now, not at autovacuum's next visit: with
        # none it takes the tally for a few rows and sorts it by strings.
        self.env.cr.execute(SQL("ANALYZE service_request_tally"))

    @api.model
    def _cron_compact(self):
        """Fold the rows of each key into one, and drop the keys that count
        nothing any more. The rows other transactions append meanwhile are
        not in this one's snapshot: they stay, and the totals are kept."""
        self.env.cr.execute(SQL(
            "WITH moved AS (DELETE FROM service_request_tally RETURNING %(columns)s, count AS change) "
            "%(insert)s",
            columns=_columns_sql(),
            insert=_tally_insert(SQL("SELECT * FROM moved")),
        ))
        self.invalidate_model()

    @api.model
    def _report_groups(self, company_ids=None, since_day=None, team_id=None):
        """The requests counted per clock results, channel, severity and
        last rating, as ``_read_group`` would give them: of the companies
        ``company_ids`` (all when None), reported on ``since_day`` (UTC) or
        later, of team ``team_id`` unless None."""
        conditions = [SQL("TRUE")]
        if company_ids is not None:
            conditions.append(SQL("company_id = ANY(%s)", list(company_ids)))
        if since_day:
            conditions.append(SQL("day >= %s", since_day))
        if team_id is not None:
            conditions.append(SQL("team_id = %s", team_id))
        keys = SQL(", ").join(SQL.identifier(name) for name in REPORT_KEYS)
        # What the ORM still holds of the requests goes to the table first:
        # the triggers count it as it is written.
        self.env["service.request"].flush_model(REQUEST_FIELDS)
        return self.env.execute_query(SQL(
            "SELECT %(keys)s, SUM(count)::int FROM service_request_tally WHERE %(where)s "
            "GROUP BY %(keys)s HAVING SUM(count) != 0",
            keys=keys, where=SQL(" AND ").join(conditions),
        ))
