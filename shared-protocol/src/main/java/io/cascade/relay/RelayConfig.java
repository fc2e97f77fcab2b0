package io.cascade.relay;

import io.cascade.media.StreamNames;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;

/**
 * One relay as an operator asked for it (EMS's pullStream and pushStream): what it reads or writes, under which local
 * name, and whether it reconnects. Kept in the cluster and in {@code data.dir}, so it outlives the node running it.
 *
 * @param id               the relay's name in lists and in removePullPushConfig
 * @param kind             pull (a remote stream in, published here) or push (a stream of ours out to a remote server)
 * @param uri              the remote URL; may hold credentials, so it is never logged or listed whole
 * @param localStreamName  the stream published here (pull) or sent out (push)
 * @param targetStreamName a push's name at the target; empty: the URL's own
 * @param keepAlive        reconnect, with backoff, after the connection ends
 * @param options          the protocol's own options, as EMS names them (RTMP's tcUrl, RTSP's forceTcp, ...): which
 *                         names a scheme takes is its registration's business, checked before the relay is stored
 */
public record RelayConfig(String id, Kind kind, String uri, String localStreamName, String targetStreamName,
                          boolean keepAlive, Map<String, String> options) {
    public enum Kind { PULL, PUSH }

    /** Longer is no option value a person writes; bounds what one API call may store. */
    public static final int MAX_OPTION_LENGTH = 1024;
    /** More options than any scheme takes: bounds what one API call may store. */
    public static final int MAX_OPTIONS = 16;

    public RelayConfig {
        options = Map.copyOf(options);
        if (!StreamNames.isValid(id)) {
            throw new IllegalArgumentException("bad relay id '" + id + "'");
        }
        if (!StreamNames.isValid(localStreamName)) {
            throw new IllegalArgumentException("localStreamName must be a stream name (letters, digits, . _ -)");
        }
        if (!targetStreamName.isEmpty() && !StreamNames.isValid(targetStreamName)) {
            throw new IllegalArgumentException("targetStreamName must be a stream name (letters, digits, . _ -)");
        }
        if (options.size() > MAX_OPTIONS) {
            throw new IllegalArgumentException("more than " + MAX_OPTIONS + " options");
        }
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (!StreamNames.isValid(e.getKey())) {
                throw new IllegalArgumentException("bad option name '" + e.getKey() + "'");
            }
            if (e.getValue().length() > MAX_OPTION_LENGTH) {
                throw new IllegalArgumentException(e.getKey() + " longer than " + MAX_OPTION_LENGTH + " characters");
            }
        }
    }

    public String option(String name) {
        return options.getOrDefault(name, "");
    }

    /** The URI's scheme, lower case: what decides which protocol runs the relay. */
    public String scheme() {
        int colon = uri.indexOf("://");
        return colon < 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /** The URI without user, password or query: what lists and logs show. */
    public String redactedUri() {
        int start = uri.indexOf("://");
        if (start < 0) {
            return "(not a URL)";
        }
        String rest = uri.substring(start + 3);
        int at = rest.indexOf('@');
        int slash = rest.indexOf('/');
        if (at >= 0 && (slash < 0 || at < slash)) {
            rest = rest.substring(at + 1);
        }
        int query = rest.indexOf('?');
        return uri.substring(0, start + 3) + (query < 0 ? rest : rest.substring(0, query));
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject().put("id", id).put("kind", kind.name().toLowerCase(Locale.ROOT)).put("uri", uri)
                .put("localStreamName", localStreamName).put("keepAlive", keepAlive);
        if (!targetStreamName.isEmpty()) {
            o.put("targetStreamName", targetStreamName);
        }
        JsonObject opts = new JsonObject();
        options.forEach(opts::put);
        return o.put("options", opts);
    }

    /** @throws IllegalArgumentException for anything that is not a relay written by {@link #toJson} */
    public static RelayConfig fromJson(JsonObject o) {
        try {
            JsonObject opts = o.getJsonObject("options", new JsonObject());
            Map<String, String> options = new java.util.LinkedHashMap<>();
            for (String name : opts.fieldNames()) {
                options.put(name, opts.getString(name));
            }
            return new RelayConfig(o.getString("id"), Kind.valueOf(o.getString("kind").toUpperCase(Locale.ROOT)),
                    o.getString("uri"), o.getString("localStreamName"), o.getString("targetStreamName", ""),
                    o.getBoolean("keepAlive", true), options);
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a relay: " + e.getMessage());
        }
    }
}
