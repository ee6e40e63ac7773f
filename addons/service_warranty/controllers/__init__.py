from . import device, portal
