"""Licences: GET /_license, POST /_license/start_trial, GET /_license/trial_status, and the
licence check of document- and field-level security (XPackLicenseState)."""

import time
import uuid

from .common import ESError, RawResponse, ok, parse_bool_param

ACTION_LICENSE_GET = "cluster:monitor/xpack/license/get"
ACTION_TRIAL_STATUS = "cluster:admin/xpack/license/trial_status"
ACTION_START_TRIAL = "cluster:admin/xpack/license/start_trial"
TRIAL_DAYS = 30
# License.OperationMode: the modes in which DOCUMENT_LEVEL_SECURITY_FEATURE (platinum) is allowed
DLS_MODES = ("trial", "platinum", "enterprise")
# Security.ADVANCED_REMOTE_CLUSTER_SECURITY_FEATURE (cross-cluster API keys, the remote cluster
# server): License.OperationMode.ENTERPRISE, which a trial includes
RCS_MODES = ("trial", "enterprise")
TRIAL_ACK = ("This API initiates a free 30-day trial for all platinum features. By starting this trial, you agree "
             "that it is subject to the terms and conditions at https://www.elastic.co/legal/trial_license/. To "
             "begin your free trial, call /start_trial again and specify the \"acknowledge=true\" parameter.")


class LicenseState:
    """A self-generated licence (StartupSelfGeneratedLicenseTask): basic unless the node starts with
    xpack.license.self_generated.type: trial; one trial per cluster."""

    def __init__(self, cluster_name, mode="basic"):
        self.cluster_name = cluster_name
        self.mode = mode
        self.trial_used = mode == "trial"
        self._issue(mode)

    def _issue(self, mode):
        self.mode = mode
        self.uid = str(uuid.uuid4())
        self.issue_ms = int(time.time() * 1000)
        # a basic licence never expires; platinum and enterprise stand for an installed licence of a year
        days = {"trial": TRIAL_DAYS, "platinum": 365, "enterprise": 365}.get(mode)
        self.expiry_ms = self.issue_ms + days * 86400000 if days else None

    def allows_dls_fls(self):
        return self.mode in DLS_MODES

    def allows_rcs(self):
        return self.mode in RCS_MODES

    def body(self):
        # License.toXContent (REST view): a basic self-generated licence never expires and shows no expiry
        def iso(ms):
            return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000.0)) + ".%03dZ" % (ms % 1000)
        lic = {"status": "active", "uid": self.uid, "type": self.mode, "issue_date": iso(self.issue_ms),
               "issue_date_in_millis": self.issue_ms}
        if self.expiry_ms is not None:
            lic["expiry_date"] = iso(self.expiry_ms)
            lic["expiry_date_in_millis"] = self.expiry_ms
        lic.update({"max_nodes": 1000, "max_resource_units": None, "issued_to": self.cluster_name,
                    "issuer": "elasticsearch", "start_date_in_millis": -1})
        return {"license": lic}


def compliance_error(feature):
    """LicenseUtils.newComplianceException: 403 security_exception with the feature as metadata."""
    return ESError(403, "security_exception", "current license is non-compliant for [%s]" % feature,
                   extra={"license.expired.feature": feature})


def h_license_get(emu, c, req, p):
    c.authorize(p, ACTION_LICENSE_GET)
    with c.lock:
        return ok(c.license.body())


def h_trial_status(emu, c, req, p):
    c.authorize(p, ACTION_TRIAL_STATUS)
    with c.lock:
        return ok({"eligible_to_start_trial": not c.license.trial_used})


def h_start_trial(emu, c, req, p):
    """RestPostStartTrialLicense, PostStartTrialResponse: 200 and an acknowledgement request without
    ?acknowledge=true, 403 once a trial was used."""
    c.authorize(p, ACTION_START_TRIAL)
    ack = parse_bool_param(req.params["acknowledge"]) if "acknowledge" in req.params else False
    typ = req.params.get("type", "trial")
    with c.lock:
        if c.license.trial_used:
            raise RawResponse(403, {"acknowledged": ack, "trial_was_started": False,
                                    "error_message": "Operation failed: Trial was already activated."})
        if not ack:
            return ok({"acknowledged": False, "trial_was_started": False,
                       "error_message": "Operation failed: Needs acknowledgement.",
                       "acknowledge": {"message": TRIAL_ACK}})
        c.license.trial_used = True
        c.license._issue("trial")
        return ok({"acknowledged": True, "trial_was_started": True, "type": typ})
