from infra.local.inprocess import *  # noqa: F403 - moved; removed once every test imports infra.local.inprocess
from infra.local.inprocess import AUDIENCE, ISSUER, ROOT, Api, Reply, Signer, environment, load_handler, person  # noqa: F401
