"""The ``aftersales`` command.

Its sub-commands (status, register, labels, scan, bill, ping) talk to an Odoo
19 server with the Aftersales add-ons over RPC; they land with their issue.
Today it reports its version and the device URL a QR label encodes.
"""

import argparse
import sys

from aftersales import __version__

SERVICE_PATH = "/service/d/"


def device_url(base_url, token):
    """The URL a unit's QR label encodes (the server's ``stock.lot.service_url``)."""
    base = base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"base URL must start with http:// or https://, got {base_url!r}")
    if not token or not token.replace("-", "").replace("_", "").isalnum() or len(token) != 32:
        raise ValueError(f"not a service token (32 URL-safe characters): {token!r}")
    return f"{base}{SERVICE_PATH}{token}"


def build_parser():
    parser = argparse.ArgumentParser(
        prog="aftersales",
        description="Command-line toolkit for the Aftersales add-ons for Odoo 19.",
        epilog="Example: aftersales url https://odoo.example.com Zt3...  (prints a label's URL)",
    )
    parser.add_argument("--version", action="version", version=f"aftersales {__version__}")
    sub = parser.add_subparsers(dest="command")
    url = sub.add_parser("url", help="print the device URL a QR label encodes for a token")
    url.add_argument("base_url", help="the Odoo server's public URL, e.g. https://odoo.example.com")
    url.add_argument("token", help="the unit's service token (32 characters)")
    return parser


def main(argv=None):
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.command == "url":
        try:
            print(device_url(options.base_url, options.token))
        except ValueError as error:
            print(f"aftersales: {error}", file=sys.stderr)
            return 2
        return 0
    parser.print_help()
    return 2
