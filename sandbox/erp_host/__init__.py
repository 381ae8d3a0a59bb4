"""A local ERP: it receives invoice-sync's signed events as the ERP would and keeps what it was told."""

from sandbox.erp_host.app import create_app

__all__ = ["create_app"]
