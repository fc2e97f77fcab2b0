package io.cascade.deploy;

import io.cascade.edge.StreamHubs;
import io.cascade.edge.http.HttpDelivery;
import io.cascade.edge.segments.PackageSettings;
import io.cascade.edge.segments.SegmentKeys;
import io.cascade.ingest.IngestStream;
import io.cascade.media.GopCache;
import io.cascade.media.Segmenter;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.rtmp.RtmpServer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A node's settings: defaults, then a YAML file ({@code --config FILE}), then environment variables
 * ({@code CASCADE_RTMP_PORT} for {@code rtmp.port}), then {@code --key=value} flags, each overriding the one
 * before. Unknown keys are an error, so a typo never silently falls back to a default.
 */
public final class NodeConfig {
    public enum Role { INGEST, ORIGIN, EDGE }

    public static final String ENV_PREFIX = "CASCADE_";

    /** Every key with its default; the order is the order of the help text. */
    static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("roles", "ingest,origin,edge");
        DEFAULTS.put("bind.host", "0.0.0.0");
        DEFAULTS.put("rtmp.port", "1935");
        DEFAULTS.put("rtsp.port", "5544");
        DEFAULTS.put("http.port", "8888");
        DEFAULTS.put("api.port", "7777");
        DEFAULTS.put("api.host", "127.0.0.1");
        DEFAULTS.put("api.token", "");
        DEFAULTS.put("cluster.port", "5701");
        DEFAULTS.put("cluster.members", "");
        DEFAULTS.put("cluster.host", "");
        DEFAULTS.put("cluster.name", "cascade");
        DEFAULTS.put("cluster.discovery", "tcp");
        DEFAULTS.put("cluster.kubernetes.service.dns", "");
        DEFAULTS.put("cluster.feed.max.inflight.bytes", String.valueOf(IngestStream.DEFAULT_MAX_IN_FLIGHT_BYTES));
        DEFAULTS.put("node.name", "");
        DEFAULTS.put("data.dir", "data");
        DEFAULTS.put("ingest.points.required", "false");
        DEFAULTS.put("rtmp.play.wait.ms", String.valueOf(ViewerPolicy.DEFAULT_PLAY_WAIT_MS));
        DEFAULTS.put("rtmp.viewer.queue.bytes", String.valueOf(RtmpServer.DEFAULT_WRITE_QUEUE_BYTES));
        DEFAULTS.put("rtmp.socket.send.bytes", "0");
        DEFAULTS.put("rtmp.flush.interval.ms", String.valueOf(ViewerPolicy.DEFAULT_FLUSH_INTERVAL_MS));
        DEFAULTS.put("rtmp.viewer.max.behind.ms", String.valueOf(ViewerPolicy.DEFAULT_MAX_BEHIND_MS));
        DEFAULTS.put("edge.linger.ms", String.valueOf(StreamHubs.DEFAULT_LINGER_MS));
        DEFAULTS.put("segment.target.ms", String.valueOf(Segmenter.DEFAULT_TARGET_MILLIS));
        DEFAULTS.put("hls.playlist.length", String.valueOf(GopCache.DEFAULT_SEGMENTS_KEPT));
        DEFAULTS.put("hls.playlist.type", "live");
        DEFAULTS.put("hls.dvr.segments", String.valueOf(PackageSettings.DEFAULT_DVR_SEGMENTS));
        DEFAULTS.put("hls.stream.max.bytes", String.valueOf(PackageSettings.DEFAULT_MAX_STREAM_BYTES));
        DEFAULTS.put("hls.node.max.bytes", String.valueOf(PackageSettings.DEFAULT_MAX_NODE_PACKAGED_BYTES));
        DEFAULTS.put("hls.aes.key.count", String.valueOf(SegmentKeys.DEFAULT_KEY_COUNT));
        DEFAULTS.put("hls.aes.secret", "");
        DEFAULTS.put("auto.hls.folder", "");
        DEFAULTS.put("auto.dash.folder", "");
        DEFAULTS.put("http.linger.ms", String.valueOf(HttpDelivery.DEFAULT_LINGER_MS));
        DEFAULTS.put("metrics.stream.series.max", String.valueOf(NodeMetrics.DEFAULT_STREAM_SERIES_MAX));
    }

    private final Map<String, String> values;

    private NodeConfig(Map<String, String> values) {
        this.values = values;
    }

    /** Defaults overridden by the given pairs only: for tests. */
    public static NodeConfig of(Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        overrides.forEach((k, val) -> put(v, k, val, "override"));
        return new NodeConfig(v);
    }

    public static NodeConfig load(String[] args, Map<String, String> env) throws IOException {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config") && i + 1 < args.length) {
                readYaml(Path.of(args[++i]), v);
            } else if (a.startsWith("--config=")) {
                readYaml(Path.of(a.substring("--config=".length())), v);
            } else if (a.startsWith("--") && a.contains("=")) {
                flags.add(a.substring(2));
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "': use --key=value or --config FILE");
            }
        }
        for (String key : DEFAULTS.keySet()) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                put(v, key, fromEnv, "environment " + envName(key));
            }
        }
        for (String f : flags) {
            int eq = f.indexOf('=');
            put(v, f.substring(0, eq), f.substring(eq + 1), "flag --" + f.substring(0, eq));
        }
        return new NodeConfig(v);
    }

    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static void readYaml(Path file, Map<String, String> into) throws IOException {
        Object doc;
        try (Reader r = Files.newBufferedReader(file)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        }
        if (doc == null) {
            return;
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(file + ": expected a mapping of settings");
        }
        flatten("", map, into, file.toString());
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> into, String source) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, into, source);
            } else if (value instanceof List<?> list) {
                put(into, key, String.join(",", list.stream().map(String::valueOf).toList()), source);
            } else {
                put(into, key, value == null ? "" : String.valueOf(value), source);
            }
        }
    }

    private static void put(Map<String, String> into, String key, String value, String source) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException("unknown setting '" + key + "' from " + source + "; known: "
                    + String.join(", ", DEFAULTS.keySet()));
        }
        into.put(key, value.trim());
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting " + key);
        }
        return v;
    }

    public int port(String key) {
        int p = integer(key);
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException(key + " must be 0..65535 (0 disables the listener), not " + p);
        }
        return p;
    }

    public int integer(String key) {
        try {
            return Integer.parseInt(get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + get(key) + "'");
        }
    }

    /** true or false, nothing else: a typo must not silently mean false. */
    public boolean bool(String key) {
        String v = get(key).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, not '" + get(key) + "'");
        }
        return v.equals("true");
    }

    public Set<Role> roles() {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : get("roles").split(",")) {
            if (r.isBlank()) {
                continue;
            }
            try {
                roles.add(Role.valueOf(r.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("roles: unknown role '" + r.trim() + "' (ingest, origin, edge)");
            }
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("roles: at least one of ingest, origin, edge");
        }
        return roles;
    }

    /** node.name, or a fresh id when unset: the owner id of the streams this node ingests. */
    public String nodeName() {
        String n = get("node.name");
        return n.isEmpty() ? "node-" + UUID.randomUUID().toString().substring(0, 8) : n;
    }
}
