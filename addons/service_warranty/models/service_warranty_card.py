"""The warranty card (三包凭证): what it prints, and sending it by e-mail.

The card reads everything through the methods below, so integrators (and
service_rma, for its RMAs) change what it says without touching the template.
One concern, one file: the certificate's and the sale order's parts of it are
kept here rather than merged into their models' files.
"""

from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError

from .service_warranty import USER_GROUP

# States whose certificate has a card worth sending: issued, not void or replaced.
SENDABLE_STATES = ("active", "expired")
# Odoo's own generic categories say nothing about a brand.
GENERIC_CATEGORIES = (
    "product.product_category_goods",
    "product.product_category_expenses",
    "product.product_category_services",
)
CARD_TEMPLATE = "service_warranty.mail_template_warranty_card"


class ServiceWarranty(models.Model):
    _inherit = "service.warranty"  # pylint: disable=consider-merging-classes-inherited

    can_send_card = fields.Boolean(compute="_compute_can_send_card", string="Can send the card")

    @api.depends_context("uid")
    @api.depends("state")
    def _compute_can_send_card(self):
        sender = self.env.su or self.env.user.has_group(USER_GROUP)
        for warranty in self:
            warranty.can_send_card = warranty.state in SENDABLE_STATES and sender

    # -- sending -------------------------------------------------------------

    def action_send_card(self):
        """Odoo's mail composer with the card template, in the customer's
        language and with each certificate's card attached. One certificate:
        the e-mail is shown before it goes. Several: one e-mail per
        certificate (each to its owner, with its own card and portal link),
        each posted in its certificate's chatter."""
        self._check_can("send_card", self.env._(
            "%(names)s: only active or expired certificates have a card to send."
        ))
        return self._mail_composer_action(CARD_TEMPLATE, self.env._("Send warranty card"))

    # -- what the card prints ------------------------------------------------

    def _get_card_values(self):
        """Everything the card prints besides the certificate's own fields,
        read in the language of ``self.env`` (the customer's, as the card
        renders): the unit's brand and origin, the seller, the customer and
        the repairer as name / address lines / postcode / phone, and the
        repair record."""
        self.ensure_one()
        seller = self.company_id.partner_id
        return {
            "brand": self._get_card_brand(),
            "origin": self._get_card_origin(),
            "seller": self._card_party(seller),
            "customer": self._card_party(self.partner_id),
            "repairer": self._card_party(self._get_card_repairer()),
            "exclusions": "; ".join(self.policy_id.exclusion_ids.mapped("name")),
            "repair_record": self._get_card_repair_record(),
            # Traditional Chinese readers get the TC face first in the font stack.
            "font_tc": (self.env.lang or "") in ("zh_TW", "zh_HK"),
        }

    def _get_card_brand(self):
        """The product's brand: OCA's product_brand when installed, else the
        name of the product's category when it is not one of Odoo's generic
        ones (vendors who resell several brands file products by brand).
        Empty otherwise: the card leaves the line blank rather than print a
        wrong brand."""
        product = self.product_id
        if "product_brand_id" in product._fields and product.product_brand_id:
            return product.product_brand_id.display_name
        category = product.categ_id
        generic = {
            record.id for xmlid in GENERIC_CATEGORIES
            if (record := self.env.ref(xmlid, raise_if_not_found=False))
        }
        return category.name if category and category.id not in generic else ""

    def _get_card_origin(self):
        """The product's country of origin when an installed add-on records
        one (stock_delivery's ``country_of_origin``); ``None`` hides the line."""
        product = self.product_id
        if "country_of_origin" not in product._fields:
            return None
        return product.country_of_origin.name or ""

    def _get_card_repairer(self):
        """Who repairs the unit under this certificate: the company that
        issued it. Override to name an authorised service partner."""
        return self.company_id.partner_id

    @api.model
    def _card_party(self, partner):
        """A partner as the card prints it: its postcode apart, since the
        certificate has a box for it, and the rest of the address in its
        country's format."""
        # What Odoo's _display_address formats, minus the postcode: the
        # country's own format (China's runs from the country down).
        address_format, args = partner._prepare_display_address(without_company=True)
        args["zip"] = ""
        lines = [
            line.strip(" ,") for line in (address_format % args).splitlines()
        ]
        return {
            "name": partner.display_name or "",
            "address_lines": [line for line in lines if line],
            "zip": partner.zip or "",
            "phone": partner.phone or "",
        }

    def _get_card_repair_record(self):
        """The unit's repair record as the card prints it: one dict per time
        it was sent for service, oldest first, with ``date_sent``,
        ``times_repaired`` (the running count), ``fault``, ``cause``,
        ``action``, ``date_returned`` (dates or ``False``) and ``technician``.

        Here, from the unit's repair orders; service_rma adds its RMAs (which
        know the fault reported, the cause found and the action taken) in
        place of their repairs. Overrides return ``_number_repair_record``
        of their rows."""
        self.ensure_one()
        repairs = self.lot_id.service_repair_ids.filtered(lambda repair: repair.state != "cancel")
        return self._number_repair_record([self._prepare_card_repair_row(repair) for repair in repairs])

    def _prepare_card_repair_row(self, repair):
        """One repair order as a line of the repair record. A repair has no
        cause of its own, and its internal notes are internal: the action
        says which parts went in."""
        parts = repair.move_ids.filtered(
            lambda move: move.repair_line_type == "add" and move.state != "cancel"
        ).product_id
        action = " · ".join(filter(None, [repair.name, ", ".join(parts.mapped("name"))]))
        return {
            "date_sent": self._card_day(repair.schedule_date),
            "fault": repair.repair_request or "",
            "cause": "",
            "action": action,
            "date_returned": self._card_day(repair.move_id.date if repair.state == "done" else False),
            "technician": repair.user_id.name or "",
            "repair": repair,
        }

    @api.model
    def _card_day(self, timestamp):
        """The day of ``timestamp`` where the reader is, or ``False``."""
        return fields.Date.context_today(self, timestamp) if timestamp else False

    @api.model
    def _number_repair_record(self, rows):
        """``rows`` oldest first (undated last), each with its running count."""
        rows = sorted(rows, key=lambda row: row["date_sent"] or date.max)
        for count, row in enumerate(rows, 1):
            row["times_repaired"] = count
        return rows


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def action_send_warranty_cards(self):
        """Send the card of every active or expired certificate of these
        orders: one e-mail per certificate, through the same composer as from
        a certificate."""
        warranties = self.env["service.warranty"].search(
            [("sale_order_id", "in", self.ids), ("state", "in", SENDABLE_STATES)]
        )
        if not warranties:
            raise UserError(self.env._(
                "%(orders)s has no active or expired warranty certificate to send: certificates are "
                "issued when the serial-numbered units are delivered.",
                orders=", ".join(self.mapped("name")),
            ))
        return warranties.action_send_card()
