from odoo import api, fields, models
from odoo.tools import SQL

# A row's change of the tally: in (inserted, or as it is after an update) or
# out (deleted, or as it was before).
COUNTED, UNCOUNTED = SQL("1"), SQL("-1")


class ServiceTally(models.AbstractModel):
    """Records counted per company, team, day (UTC) and what the KPI report
    groups them by, kept by PostgreSQL.

    Statement triggers on the counted model's table append, for
    every INSERT, UPDATE and DELETE, one row per key with its change: the
    count and each of ``_tally_sums`` (rows are never updated, so the
    triggers take no lock that a concurrent transaction would wait for).
    Whatever writes the records, the ORM, a stored compute's flush, an
    import or plain SQL, the tally follows in the same transaction. A daily
    cron folds the rows of each key into one; every install and update of
    the add-on counts them again. The KPI report then sums a few rows per day
    instead of reading every record (``service.request.get_kpi_summary``).

    A tally names the counted model (``_tally_model``) and its datetime
    that gives the day (``_tally_day_field``), its other key columns as SQL
    over one of its rows (``_tally_keys``), the sums kept beside the count
    (``_tally_sums``), and the fields the keys and sums are made of, which
    are flushed before it is read (``_tally_fields``)."""

    _name = "service.tally"
    _description = "Service KPI tally"
    _log_access = False
    _order = "day desc, id"

    _tally_model = None
    # The counted records' datetime whose UTC day is the tally's day.
    _tally_day_field = None
    # (column, SQL over a row of the counted table), after company, team, day,
    # in the order the report reads them back (_report_groups).
    _tally_keys = ()
    _tally_sums = ()
    _tally_fields = ()

    # Plain integers, not many2ones: the triggers write rows for a team or a
    # company being deleted (their records' references are set null in the
    # same statement), which a foreign key would refuse.
    company_id = fields.Integer(string="Company ID", required=True, readonly=True)
    team_id = fields.Integer(string="Team ID", readonly=True)
    day = fields.Date(required=True, readonly=True, help="The day the records are counted on (UTC).")
    count = fields.Integer(string="Change of the count", required=True, readonly=True)

    _company_day_index = models.Index("(company_id, day)")

    # -- the SQL the triggers run -----------------------------------------------

    def _all_keys(self):
        return (
            ("company_id", "company_id"),
            ("team_id", "team_id"),
            ("day", f"{self._tally_day_field}::date"),
            *self._tally_keys,
        )

    def _key_columns(self):
        return SQL(", ").join(SQL.identifier(name) for name, _expression in self._all_keys())

    def _sum_columns(self):
        return [SQL.identifier(name) for name in ("count", *(name for name, _expression in self._tally_sums))]

    def _changes(self, source, change):
        """The key columns of the rows of ``source`` (a table of counted
        records) and their changes of the count and sums (``change``: in or
        out)."""
        keys = SQL(", ").join(
            SQL("%s AS %s", SQL(expression), SQL.identifier(name)) for name, expression in self._all_keys()
        )
        sums = [SQL("%s AS count", change)] + [
            SQL("%s * (%s) AS %s", change, SQL(expression), SQL.identifier(name))
            for name, expression in self._tally_sums
        ]
        return SQL("SELECT %s, %s FROM %s", keys, SQL(", ").join(sums), SQL.identifier(source))

    def _insert(self, changes, folding=False):
        """INSERT into the tally what the rows of ``changes`` (SQL with the
        key columns and the changes) add up to, key by key. No row for a key
        whose changes cancel out; when ``folding`` (the rows are the whole
        tally, or every record), none for a key that counts no record, whose
        sums are then nothing but rounding."""
        sums = self._sum_columns()
        kept = sums[:1] if folding else sums
        return SQL(
            "INSERT INTO %(table)s (%(keys)s, %(columns)s) "
            "SELECT %(keys)s, %(sums)s FROM (%(changes)s) AS changes "
            "GROUP BY %(keys)s HAVING %(kept)s",
            table=SQL.identifier(self._table), keys=self._key_columns(), columns=SQL(", ").join(sums),
            sums=SQL(", ").join(SQL("SUM(%s)", column) for column in sums), changes=changes,
            kept=SQL(" OR ").join(SQL("SUM(%s) != 0", column) for column in kept),
        )

    def init(self):
        """The triggers on the counted table, and the tally counted again
        from its records (on install and on every update of the add-on)."""
        if self._abstract:
            return
        cr = self.env.cr
        counted = self.env[self._tally_model]._table
        function = SQL.identifier(self._table)
        cr.execute(SQL(
            """CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger
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
            function=function,
            inserted=self._insert(self._changes("new_rows", COUNTED)),
            deleted=self._insert(self._changes("old_rows", UNCOUNTED)),
            updated=self._insert(SQL(
                "%s UNION ALL %s",
                self._changes("new_rows", COUNTED), self._changes("old_rows", UNCOUNTED),
            )),
        ))
        for event, transitions in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            trigger = SQL.identifier(f"{self._table}_{event.lower()}")
            cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", trigger, SQL.identifier(counted)))
            cr.execute(SQL(
                "CREATE TRIGGER %s AFTER %s ON %s REFERENCING %s "
                "FOR EACH STATEMENT EXECUTE FUNCTION %s()",
                trigger, SQL(event), SQL.identifier(counted), SQL(transitions), function,
            ))
        self._recount()

    def _recount(self):
        """Count every record again: the tally as if it had been kept from
        the first record on, one row per key."""
        table = SQL.identifier(self._table)
        self.env.cr.execute(SQL("DELETE FROM %s", table))
        counted = self._changes(self.env[self._tally_model]._table, COUNTED)
        self.env.cr.execute(self._insert(counted, folding=True))
        # Statistics for the planner now, not at autovacuum's next visit: with
        # none it takes the tally for a few rows and sorts it by strings.
        self.env.cr.execute(SQL("ANALYZE %s", table))

    @api.model
    def _cron_compact(self):
        """Fold the rows of each key into one, and drop the keys that count
        nothing any more. The rows other transactions append meanwhile are
        not in this one's snapshot: they stay, and the totals are kept."""
        columns = SQL(", ").join([self._key_columns(), *self._sum_columns()])
        self.env.cr.execute(SQL(
            "WITH moved AS (DELETE FROM %(table)s RETURNING %(columns)s) %(insert)s",
            table=SQL.identifier(self._table), columns=columns,
            insert=self._insert(SQL("SELECT * FROM moved"), folding=True),
        ))
        self.invalidate_model()

    @api.model
    def _report_groups(self, company_ids=None, since_day=None, team_id=None):
        """The records counted per key of ``_tally_keys`` (in their order),
        as ``_read_group`` would give them, the count and the sums after the
        keys: of the companies ``company_ids`` (all when None), counted on
        ``since_day`` (UTC) or later, of team ``team_id`` unless None."""
        conditions = [SQL("TRUE")]
        if company_ids is not None:
            conditions.append(SQL("company_id = ANY(%s)", list(company_ids)))
        if since_day:
            conditions.append(SQL("day >= %s", since_day))
        if team_id is not None:
            conditions.append(SQL("team_id = %s", team_id))
        keys = SQL(", ").join(SQL.identifier(name) for name, _expression in self._tally_keys)
        # What the ORM still holds of the records goes to the table first:
        # the triggers count it as it is written.
        self.env[self._tally_model].flush_model(
            ["company_id", "team_id", self._tally_day_field, *self._tally_fields],
        )
        return self.env.execute_query(SQL(
            "SELECT %(keys)s, SUM(count)::int%(sums)s FROM %(table)s WHERE %(where)s "
            "GROUP BY %(keys)s HAVING SUM(count) != 0",
            keys=keys, table=SQL.identifier(self._table), where=SQL(" AND ").join(conditions),
            sums=SQL("").join(SQL(", SUM(%s)", SQL.identifier(name)) for name, _expr in self._tally_sums),
        ))
