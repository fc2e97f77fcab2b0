package io.cascade.deploy;

import io.cascade.auth.Authorisation;
import io.cascade.files.VodFolders;
import io.cascade.settings.Setting;
import io.cascade.settings.Settings;
import io.cascade.settings.SettingsException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A node's settings: defaults, then a YAML file ({@code --config FILE}), then environment variables
 * ({@code CASCADE_RTMP_PORT} for {@code rtmp.port}), then {@code --key=value} flags, each overriding the one
 * before. Unknown keys are an error, so a typo never silently falls back to a default; every value is parsed and
 * bounds-checked here, once, so a bad value stops the node before anything starts. The settings themselves are
 * declared by the components that use them ({@link NodeSettings#ALL}).
 */
public final class NodeConfig {
    public enum Role { INGEST, ORIGIN, EDGE }

    public static final String ENV_PREFIX = "CASCADE_";

    /** Every setting, in the order of the README's table. */
    static final List<Setting<?>> SETTINGS = NodeSettings.ALL;
    private static final Set<String> SETTING_KEYS = SETTINGS.stream().map(Setting::key).collect(Collectors.toUnmodifiableSet());

    private final Settings values;

    private NodeConfig(Settings values) {
        this.values = values;
    }

    /** Defaults overridden by the given pairs only: for tests. */
    public static NodeConfig of(Map<String, String> overrides) {
        Settings.Builder b = Settings.builder(SETTINGS);
        overrides.forEach((k, val) -> b.set(k, val, "overrides", "override"));
        return check(b);
    }

    /**
     * Every setting parsed and bounds-checked: a bad value throws here, naming its key and where it came from, before
     * anything starts.
     */
    public static NodeConfig load(String[] args, Map<String, String> env) throws IOException {
        Settings.Builder b = Settings.builder(SETTINGS);
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config") && i + 1 < args.length) {
                readYaml(Path.of(args[++i]), b);
            } else if (a.startsWith("--config=")) {
                readYaml(Path.of(a.substring("--config=".length())), b);
            } else if (a.startsWith("--") && a.contains("=")) {
                flags.add(a.substring(2));
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "': use --key=value or --config FILE");
            }
        }
        for (String key : b.keys()) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                b.set(key, fromEnv, "the environment", "environment " + envName(key));
            }
        }
        for (String f : flags) {
            int eq = f.indexOf('=');
            b.set(f.substring(0, eq), f.substring(eq + 1), "the command line", "flag --" + f.substring(0, eq));
        }
        return check(b);
    }

    private static NodeConfig check(Settings.Builder b) {
        NodeConfig c = new NodeConfig(b.build());
        List<String> problems = new ArrayList<>();
        if (ClusterSetup.kubernetes(c) && c.value(ClusterSetup.KUBERNETES_SERVICE_DNS).isEmpty()) {
            problems.add(ClusterSetup.KUBERNETES_SERVICE_DNS.key() + " must be set when "
                    + ClusterSetup.DISCOVERY.key() + " is kubernetes");
        }
        String openApi = openApi(c);
        if (openApi != null) {
            problems.add(openApi);
        }
        problems.addAll(c.authorisation().problems());
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return c;
    }

    /**
     * Why the API would be open to anyone who can reach it, or null: an origin node's API on an address beyond
     * loopback with no token would let any host on the network create and remove ingest points and file outputs.
     * (Metrics and health are read-only and have no such rule.)
     */
    static String openApi(NodeConfig c) {
        if (!c.roles().contains(Role.ORIGIN) || c.value(NodeSettings.API_PORT) == 0
                || !c.value(NodeSettings.API_TOKEN).isEmpty()) {
            return null;
        }
        String host = c.value(NodeSettings.API_HOST);
        if (loopback(host)) {
            return null;
        }
        return NodeSettings.API_HOST.key() + " " + (host.isEmpty() ? "(empty)" : host) + " is not a loopback address"
                + " and " + NodeSettings.API_TOKEN.key() + " is not set: the API would let anyone who reaches it"
                + " manage streams; set " + NodeSettings.API_TOKEN.key() + " (or " + NodeSettings.API_HOST.key()
                + "=127.0.0.1, or " + NodeSettings.API_PORT.key() + "=0)";
    }

    /** Whether every address the host names is a loopback one ({@code 127.0.0.0/8}, {@code ::1}, localhost). */
    static boolean loopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.isBlank()) {
            return false;
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(h);
            return all.length > 0 && Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false; // unknown now: it may name anything later
        }
    }

    /** Every key accepted, deprecated aliases included. */
    static List<String> acceptedKeys() {
        return Settings.builder(SETTINGS).keys();
    }

    /** One line per deprecated alias that was used, for a warning at startup. */
    public List<String> deprecatedUses() {
        return values.deprecatedUses();
    }

    public <T> T value(Setting<T> setting) {
        return values.get(setting);
    }

    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static void readYaml(Path file, Settings.Builder into) throws IOException {
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

    private static void flatten(String prefix, Map<?, ?> map, Settings.Builder into, String source) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (value instanceof Map<?, ?> pairs && SETTING_KEYS.contains(key)) {
                // a mapping that is one setting's value (vod.folders: {movies: /srv/movies}) becomes name=value pairs
                into.set(key, String.join(",", pairs.entrySet().stream()
                        .map(p -> p.getKey() + "=" + (p.getValue() == null ? "" : p.getValue())).toList()), source, source);
            } else if (value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, into, source);
            } else if (value instanceof List<?> list) {
                into.set(key, String.join(",", list.stream().map(NodeConfig::listItem).toList()), source, source);
            } else {
                into.set(key, value == null ? "" : String.valueOf(value), source, source);
            }
        }
    }

    /**
     * One item of a YAML list as text: a mapping (a record such as one TS listener) becomes its fields in query
     * form, {@code protocol=udp&port=9000}, which the setting that reads the list parses.
     */
    private static String listItem(Object item) {
        if (item instanceof Map<?, ?> fields) {
            return String.join("&", fields.entrySet().stream()
                    .map(f -> f.getKey() + "=" + (f.getValue() == null ? "" : f.getValue())).toList());
        }
        return String.valueOf(item);
    }

    /** The value's text, for a key or a deprecated alias of one. */
    public String get(String key) {
        return values.text(key);
    }

    /** A port setting's value; 0 means the listener is disabled. */
    public int port(String key) {
        return integer(key);
    }

    public int integer(String key) {
        return ((Number) typed(key)).intValue();
    }

    public boolean bool(String key) {
        return (Boolean) typed(key);
    }

    private Object typed(String key) {
        Setting<?> s = values.setting(key);
        if (s == null) {
            throw new IllegalArgumentException("unknown setting " + key);
        }
        return values.get(s);
    }

    /** Who may publish and play, and how that is decided ({@code auth.*}). */
    public Authorisation.Config authorisation() {
        return new Authorisation.Config(value(Authorisation.PUBLISH), value(Authorisation.PLAY),
                value(Authorisation.SECRET), value(Authorisation.USERS), value(Authorisation.CALLBACK_URL),
                value(Authorisation.CALLBACK_CACHE_MS),
                value(Authorisation.CALLBACK_TIMEOUT_MS), value(Authorisation.CALLBACK_ON_TIMEOUT).equals("allow"));
    }

    /** The folders this node serves on demand (vod.folder, vod.folders), relative ones under data.dir. */
    public VodFolders vodFolders() {
        return VodFolders.of(Path.of(value(NodeSettings.DATA_DIR)), value(VodFolders.FOLDER), value(VodFolders.FOLDERS));
    }

    public Set<Role> roles() {
        return value(NodeSettings.ROLES);
    }

    /** node.name, or a fresh id when unset: the owner id of the streams this node ingests. */
    public String nodeName() {
        String n = value(NodeSettings.NODE_NAME);
        return n.isEmpty() ? "node-" + UUID.randomUUID().toString().substring(0, 8) : n;
    }
}
