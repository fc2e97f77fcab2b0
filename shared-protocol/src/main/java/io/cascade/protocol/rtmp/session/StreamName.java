package io.cascade.protocol.rtmp.session;

/** A stream name as RTMP clients send it, "name?query", split in two. */
record StreamName(String name, String query) {
    static StreamName parse(String raw) {
        int q = raw.indexOf('?');
        return q < 0 ? new StreamName(raw, "") : new StreamName(raw.substring(0, q), raw.substring(q + 1));
    }
}
