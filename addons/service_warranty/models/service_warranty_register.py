import secrets
from collections import defaultdict
from datetime import date

from odoo import api, fields, models

from ..decisions import deciding
from .service_warranty import LIVE_STATES
from .stock_lot import TOKEN_BYTES

REQUIRED = ("serial", "product", "customer", "date_sale")
# Longer values are typing or export errors, refused per row.
MAX_LENGTHS = {"serial": 64, "product": 64, "customer": 256, "invoice_ref": 64, "policy": 256}
# How the customer column is matched, in order of precedence.
CUSTOMER_FIELDS = ("ref", "email", "name")


class ServiceWarranty(models.Model):
    _inherit = "service.warranty"

    @api.model
    def register_units(self, rows, dry_run=False):
        """Register units sold outside Odoo (or migrated from an old system).

        ``rows``: dicts with ``line`` (the caller's line number, echoed back),
        ``serial``, ``product`` (internal reference or barcode), ``customer``
        (reference, email or exact name), ``date_sale`` and optional
        ``date_install``, ``invoice_ref``, ``policy`` (name; default: the
        product's). Every row is checked first; then the good ones are created
        in one batch (missing serials too), unless ``dry_run``. The look-ups
        are one query each for the whole batch.

        Idempotent: a serial whose live certificate already belongs to the same
        customer is reported as skipped, never created twice.

        Returns ``{"created": [{line, serial, certificate}], "skipped":
        [{line, serial, reason}], "errors": [{line, column, reason}]}``.
        """
        self.check_access("create")
        lookup = self._register_lookups(rows)
        errors, skipped, good, seen = [], [], [], set()
        for row in rows:
            kind, *detail = self._register_check_row(row, lookup, seen)
            if kind == "error":
                errors.extend({"line": row.get("line"), "column": column, "reason": reason}
                              for column, reason in detail[0])
            elif kind == "skip":
                skipped.append({"line": row.get("line"), "serial": row["serial"].strip(),
                                "reason": detail[0]})
            else:
                good.append((row, detail[0]))
        created = [{"line": row.get("line"), "serial": vals["serial"], "certificate": False}
                   for row, vals in good]
        if good and not dry_run:
            warranties = self._register_create([vals for _row, vals in good], lookup["lots"])
            for entry, warranty in zip(created, warranties):
                entry["certificate"] = warranty.name
        return {"created": created, "skipped": skipped, "errors": errors}

    def _register_lookups(self, rows):
        """Everything the rows refer to, one search per kind."""
        rows = [row for row in rows if isinstance(row, dict)]
        codes = list({r["product"] for r in rows if r.get("product")})
        products = {}
        for product in self.env["product.product"].search(
            ["|", ("default_code", "in", codes), ("barcode", "in", codes)]
        ):
            for code in (product.default_code, product.barcode):
                if code:
                    products.setdefault(code, product)
        values = list({r["customer"] for r in rows if r.get("customer")})
        partners = self.env["res.partner"].search(
            ["|", "|", *((field, "in", values) for field in CUSTOMER_FIELDS)]
        ) if values else self.env["res.partner"]
        # One pass over the partners found, not one per value: a file names
        # hundreds of customers.
        by_field = {field: defaultdict(list) for field in CUSTOMER_FIELDS}
        for partner in partners:
            for field, index in by_field.items():
                if partner[field]:
                    index[partner[field]].append(partner)
        customers = {}
        for value in values:
            for index in by_field.values():
                if matches := index.get(value):
                    # False marks an ambiguous value.
                    customers[value] = matches[0] if len(matches) == 1 else False
                    break
        names = list({r["policy"] for r in rows if r.get("policy")})
        policies = {
            policy.name: policy
            for policy in self.env["service.warranty.policy"].search([("name", "in", names)])
        }
        serials = list({str(r["serial"]).strip() for r in rows if r.get("serial")})
        lots = self.env["stock.lot"].search([("name", "in", serials)]) if serials else self.env["stock.lot"]
        # An expired certificate still says whose unit it is: registering the
        # serial again must find it, not issue a second one.
        live = self.search([("lot_id", "in", lots.ids), ("state", "in", (*LIVE_STATES, "expired"))])
        return {
            "products": products,
            "customers": customers,
            "policies": policies,
            "lots": {(lot.name, lot.product_id): lot for lot in lots},
            "live": {w.lot_id: w for w in live},
        }

    def _register_check_row(self, row, lookup, seen):
        """("error", [(column, reason)]), ("skip", reason) or ("ok", vals)."""
        missing = [col for col in REQUIRED if not str(row.get(col) or "").strip()]
        if missing:
            return "error", [(col, self.env._("%(column)s is required.", column=col)) for col in missing]
        too_long = self._register_too_long(row)
        if too_long:
            return "error", too_long
        product = lookup["products"].get(row["product"])
        if not product:
            return "error", [("product", self.env._("No product with internal reference or barcode %(code)s.",
                                           code=row["product"]))]
        if product.tracking != "serial":
            return "error", [("product", self.env._("%(product)s is not tracked by serial number.",
                                           product=product.display_name))]
        partner = lookup["customers"].get(row["customer"])
        if not partner:
            reason = (
                self.env._("Several customers match %(value)s: use their reference.", value=row["customer"])
                if partner is False
                else self.env._("No customer with reference, email or name %(value)s.", value=row["customer"])
            )
            return "error", [("customer", reason)]
        dates, wrong = self._register_dates(row)
        if wrong:
            return "error", wrong
        if dates["date_install"] and dates["date_install"] < dates["date_sale"]:
            return "error", [("date_install", self.env._("The installation date is before the sale date."))]
        policy = (
            lookup["policies"].get(row["policy"]) if row.get("policy")
            else product._get_warranty_policy().get(product)
        )
        if not policy:
            reason = (
                self.env._("No warranty policy named %(name)s.", name=row["policy"]) if row.get("policy")
                else self.env._("%(product)s has no warranty policy: name one in the policy column.",
                       product=product.display_name)
            )
            return "error", [("policy", reason)]
        key = (row["serial"].strip(), product)
        if key in seen:
            return "error", [
                ("serial", self.env._("Serial %(serial)s appears twice in this file.", serial=key[0]))
            ]
        seen.add(key)
        lot = lookup["lots"].get(key)
        foreign = self._register_foreign(partner, product, lot, policy, key[0])
        if foreign:
            return "error", [foreign]
        existing = lookup["live"].get(lot)
        if existing:
            if existing.partner_id.commercial_partner_id == partner.commercial_partner_id:
                return "skip", self.env._("already registered as %(name)s", name=existing.name)
            return "error", [("serial", self.env._(
                "Serial %(serial)s is registered to another customer (%(name)s).",
                serial=key[0], name=existing.name,
            ))]
        return "ok", {
            "serial": key[0],
            "product": product,
            "partner_id": partner.id,
            "policy_id": policy.id,
            "date_sale": dates["date_sale"],
            "date_delivery": dates["date_sale"],
            "date_install": dates["date_install"],
            "invoice_ref": row.get("invoice_ref") or False,
        }

    def _register_too_long(self, row):
        return [
            (column, self.env._("%(column)s is longer than %(limit)s characters.",
                                column=column, limit=limit))
            for column, limit in MAX_LENGTHS.items()
            if len(str(row.get(column) or "")) > limit
        ]

    def _register_dates(self, row):
        """The row's dates, and the errors of those that are not dates or lie
        in the future (a unit cannot have been sold or installed tomorrow)."""
        dates, wrong = {}, []
        today = fields.Date.context_today(self)
        for column in ("date_sale", "date_install"):
            try:
                dates[column] = date.fromisoformat(row[column]) if row.get(column) else None
            except (TypeError, ValueError):
                wrong.append((column, self.env._("%(value)s is not a date (YYYY-MM-DD).", value=row[column])))
                continue
            if dates[column] and dates[column] > today:
                wrong.append((column, self.env._("%(value)s is in the future.", value=row[column])))
        return dates, wrong

    def _register_foreign(self, partner, product, lot, policy, serial):
        """(column, reason) for the first value of another company than the
        user's current one, where certificates are issued; a batch with one
        would fail at write time after the check said its rows were fine."""
        company = self.env.company
        for column, record, label in (("customer", partner, partner.display_name),
                                      ("product", product, product.display_name),
                                      ("serial", lot, serial),
                                      ("policy", policy, policy.name)):
            if record and record.company_id and record.company_id != company:
                return column, self.env._("%(value)s belongs to company %(company)s, not %(current)s.",
                                          value=label, company=record.company_id.name, current=company.name)
        return None

    def _register_create(self, vals_list, lots):
        """Create the missing serials, then the certificates, one batch each.
        Registering a unit implies its serial exists: it is created whatever
        the user's inventory rights."""
        new = [(v["serial"], v["product"]) for v in vals_list if (v["serial"], v["product"]) not in lots]
        # A new serial gets its label token as it is created, rather than one
        # write per serial when its certificate is issued; and, like the
        # certificate, no chatter message: its creation date and author say
        # the same, at a third of the cost of the whole file.
        created = self.env["stock.lot"].sudo().with_context(mail_create_nolog=True).create([
            {
                "name": name,
                "product_id": product.id,
                "company_id": self.env.company.id,
                "service_token": secrets.token_urlsafe(TOKEN_BYTES),
            }
            for name, product in new
        ])
        lots = {**lots, **{(lot.name, lot.product_id): lot for lot in created}}
        # Like issuance on delivery: no chatter message per certificate (its
        # origin says "Import"); it would be most of the cost of a large file.
        with deciding():
            return self._register_create_warranties(vals_list, lots)

    def _register_create_warranties(self, vals_list, lots):
        return self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create([
            {
                "lot_id": lots[(v["serial"], v["product"])].id,
                "partner_id": v["partner_id"],
                "policy_id": v["policy_id"],
                "date_sale": v["date_sale"],
                "date_delivery": v["date_delivery"],
                "date_install": v["date_install"],
                "invoice_ref": v["invoice_ref"],
                "origin": "import",
                "state": "active",
            }
            for v in vals_list
        ])
