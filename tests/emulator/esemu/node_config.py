"""A node's elasticsearch.yml (--elasticsearch-yml CLUSTER=PATH): read as Settings.loadFromPath
reads it, validated as SettingsModule validates the node settings at startup, and the transport
trust it names loaded as SSLService loads it. A file Elasticsearch would refuse stops the
emulator before any listener starts, with Elasticsearch's message."""

import os

import yaml

from .common import ESError
from .settings import as_list, validate_scope


class StartupError(Exception):
    """Elasticsearch does not start: `exception` is the Java exception class it would report."""

    def __init__(self, exception, message):
        super().__init__("%s: %s" % (exception, message))
        self.exception = exception
        self.message = message


CA_SETTING = "xpack.security.transport.ssl.certificate_authorities"


def _flatten(obj, prefix, out):
    """Settings.fromXContent: nested and dotted keys are one key; scalars are kept as their text
    (the YAML is read without implicit types, so `yes` stays the string "yes" and fails as a
    boolean, as it does in Elasticsearch); a list holds scalars only."""
    for k, v in obj.items():
        key = prefix + str(k)
        if isinstance(v, dict):
            _flatten(v, key + ".", out)
            continue
        if isinstance(v, list):
            if any(isinstance(e, (dict, list)) for e in v):
                raise StartupError("java.lang.IllegalStateException",
                                   "only value lists are allowed in serialized settings")
            value = [str(e) for e in v]
        else:
            value = "" if v is None else str(v)
        if key in out:
            raise StartupError("org.elasticsearch.common.settings.SettingsException",
                               "duplicate settings key [%s] found, previous value [%s], current value [%s]"
                               % (key, out[key], value))
        out[key] = value


def read_elasticsearch_yml(path):
    """The flat settings of the file. StartupError when it is not a YAML mapping of settings."""
    try:
        with open(path) as f:
            doc = yaml.load(f, Loader=yaml.BaseLoader)
    except OSError as e:
        raise StartupError("java.nio.file.NoSuchFileException", "%s: %s" % (path, e.strerror))
    except yaml.YAMLError as e:
        raise StartupError("org.elasticsearch.ElasticsearchParseException",
                           "malformed elasticsearch.yml [%s]: %s" % (path, str(e).replace("\n", " ")))
    out = {}
    if doc is None:
        return out
    if not isinstance(doc, dict):
        raise StartupError("org.elasticsearch.ElasticsearchParseException",
                           "malformed elasticsearch.yml [%s]: not a mapping of settings" % path)
    _flatten(doc, "", out)
    return out


def validate_node_settings(settings):
    """SettingsModule: clusterSettings.validate(settings, true) over every node setting, in key
    order, the first failure reported."""
    try:
        validate_scope(settings)
    except ESError as e:
        raise StartupError("java.lang.IllegalArgumentException", e.reason)


def trusted_ca_files(settings, config_dir):
    """The PEM files the transport layer trusts when the node settings name them (relative paths
    from the config directory, the one holding elasticsearch.yml), or None. A missing file stops
    the node: SslFileUtil.fileNotFound wrapped by SSLService.loadSslConfigurations."""
    if CA_SETTING not in settings:
        return None
    paths = [os.path.abspath(os.path.join(config_dir, p)) for p in as_list(settings[CA_SETTING])]
    if any(not os.path.isfile(p) for p in paths):
        raise StartupError("org.elasticsearch.ElasticsearchSecurityException",
                           "failed to load SSL configuration [xpack.security.transport.ssl] - cannot read "
                           "configured PEM certificate_authorities [%s] because %s"
                           % (",".join(paths), "the file does not exist" if len(paths) == 1
                              else "one or more files do not exist"))
    return paths
