package io.cascade.deploy;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.origin.RelayControl;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.settings.Setting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cluster's relays, and the ones this node runs. Every relay is one entry of a Hazelcast map (with a backup), and
 * each origin node keeps the whole set in {@code data.dir/relays.json} too, so a restart of the whole cluster brings
 * them back. Which node runs a relay is decided by every node alike, with no lock and no message: among the members
 * that can run it (an ingest node for a pull, an edge node for a push) the one whose hash with the relay's id is
 * highest. When that node leaves, the next one in that order starts the relay as soon as the cluster notices (a
 * killed node: within a second); when a node joins, only the relays it now wins move to it.
 *
 * <p>A relay started twice for a moment while membership changes is harmless: a pull's name is claimed through
 * admission, so the second one is refused and tries again later, and the loser of the placement stops its copy at the
 * next check. Every node checks its share when the set or the membership changes, and every {@link #CHECK_MS}.
 */
final class NodeRelays implements RelayControl {
    private static final Logger log = LoggerFactory.getLogger(NodeRelays.class);
    static final String MAP = "cascade.relays";
    static final String FILE_NAME = "relays.json";
    /** A key of the relays' map that no relay has (ids are stream names): held while a relay is added. */
    private static final String ADD_LOCK = "/add";
    /** How often a node checks its share of the relays without being told of a change. */
    static final long CHECK_MS = 5_000;
    /** Relays one cluster holds: each is a connection and, for a pull, a stream; far more than any deployment uses. */
    static final Setting<Integer> MAX_RELAYS = Setting.integer("relay.max", 1_000, 0, 100_000,
            "relays (pullStream, pushStream) the cluster holds at most");
    /**
     * Relays that start with the node, as crtmpserver's externalStreams: a YAML or JSON list of relays with EMS's
     * fields. Read and checked before the node starts, so a mistake stops it naming the file and the entry.
     */
    static final Setting<List<RelayConfig>> STARTUP_FILE = Setting.of("relay.file", "",
            "a path to a YAML or JSON list of `{kind: pull or push, uri, localStreamName, targetStreamName, keepAlive,"
                    + " tcUrl, pageUrl, swfUrl, flashVer, id}`", NodeRelays::readStartupFile,
            "relays this node adds to the cluster's set when it starts (kept there under their ids)");
    /**
     * CAs a relay over TLS (rtmps://) trusts besides the JVM's: a private CA's certificate, as the nodes' own
     * certificates often are. The target's name is checked against its certificate either way.
     */
    static final Setting<String> TLS_CA = Setting.text("relay.tls.ca", "",
            "a path to PEM certificates that relays over TLS (`rtmps://`) trust besides the JVM's CAs");
    /** A target that does not accept the TCP connection within this is down, as far as one attempt goes. */
    static final int CONNECT_TIMEOUT_MS = 5_000;
    /** Entries one startup file may hold: the cluster's bound applies too. */
    static final int MAX_STARTUP_RELAYS = 1_000;
    /** How long a node asked for the state of the relays it runs may take. */
    static final long STATUS_TIMEOUT_MS = 2_000;
    private static final String STATUS_ADDRESS = "cascade.relays.status.";

    private final NodeServices node;
    private final Vertx vertx;
    private final IMap<String, String> relays;
    private final HazelcastInstance hazelcast;
    private final Path file;
    private final int max;
    private final RelaySchemes.Clients clients;
    /** Where the checks run, one at a time, and where the relays this node runs start. */
    private final io.vertx.core.Context context;
    /**
     * The relays running here, by id, with the configuration each was started from. Changed on {@link #context}; read
     * by the metrics exporter too.
     */
    private final Map<String, Running> running = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean checkPending;

    private record Running(RelayConfig config, Relay relay) {
    }

    NodeRelays(NodeServices node, HazelcastInstance hazelcast) {
        this.node = node;
        this.vertx = node.vertx;
        this.hazelcast = hazelcast;
        this.relays = hazelcast.getMap(MAP);
        this.max = node.config.value(MAX_RELAYS);
        this.file = node.roles.contains(Role.ORIGIN)
                ? Path.of(node.config.value(NodeSettings.DATA_DIR)).resolve(FILE_NAME) : null;
        this.context = vertx.getOrCreateContext();
        NetClientOptions tls = new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS).setTcpNoDelay(true)
                .setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
        String ca = node.config.value(TLS_CA);
        if (!ca.isEmpty()) {
            tls.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(ca));
        }
        this.clients = new RelaySchemes.Clients(vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout(CONNECT_TIMEOUT_MS).setTcpNoDelay(true)), vertx.createNetClient(tls));
    }

    /** One synchronous backup: losing a member loses no relay. */
    static void configure(Config hz) {
        hz.addMapConfig(new MapConfig(MAP).setBackupCount(1).setAsyncBackupCount(0));
    }

    /** Loads the file when the cluster holds no relay, then follows the set, the membership and the clock. */
    Future<Void> start() {
        return vertx.executeBlocking(() -> {
            loadFile();
            return null;
        }, false).onSuccess(v -> {
            relays.addEntryListener(new Changes(), false);
            hazelcast.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                    checkSoon();
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                    checkSoon();
                }
            });
            vertx.eventBus().<JsonArray>consumer(STATUS_ADDRESS + node.nodeId, m -> m.reply(localStatus()));
            vertx.setPeriodic(CHECK_MS, id -> checkSoon());
            checkSoon();
        }).mapEmpty();
    }

    private void loadFile() throws IOException {
        for (RelayConfig c : node.config.value(STARTUP_FILE)) {
            String value = c.toJson().encode();
            if (!value.equals(relays.put(c.id(), value))) {
                log.info("relay {} from {}: {} {} {}", c.id(), STARTUP_FILE.key(), c.localStreamName(),
                        c.kind() == RelayConfig.Kind.PULL ? "from" : "to", c.redactedUri());
            }
        }
        if (file == null || !Files.isRegularFile(file)) {
            return;
        }
        if (!relays.isEmpty()) {
            writeFile(); // joined a running cluster: its set replaces whatever the file held
            return;
        }
        JsonArray saved = new JsonArray(Files.readString(file, StandardCharsets.UTF_8));
        int loaded = 0;
        for (int i = 0; i < saved.size() && i < max; i++) {
            try {
                RelayConfig c = RelayConfig.fromJson(saved.getJsonObject(i));
                relays.putIfAbsent(c.id(), c.toJson().encode());
                loaded++;
            } catch (RuntimeException e) {
                log.warn("{}: relay {} skipped: {}", file, i, e.getMessage());
            }
        }
        log.info("loaded {} relays from {}", loaded, file);
    }

    /** One writer at a time: the verb that changed the set and the listener that saw the change both write. */
    private synchronized void writeFile() throws IOException {
        if (file == null) {
            return;
        }
        JsonArray all = new JsonArray();
        relays.values().stream().sorted().forEach(v -> all.add(new JsonObject(v)));
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        Files.writeString(tmp, all.encodePrettily(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---- RelayControl: the API verbs ----

    @Override
    public Future<RelayConfig> add(RelayConfig config) {
        RelaySchemes.Scheme scheme;
        try {
            scheme = check(config);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return vertx.executeBlocking(() -> {
            // one change at a time, cluster-wide: two calls at once must not both pass the checks below
            relays.lock(ADD_LOCK);
            try {
                return addLocked(config, scheme);
            } finally {
                relays.unlock(ADD_LOCK);
            }
        }, false);
    }

    private RelayConfig addLocked(RelayConfig config, RelaySchemes.Scheme scheme) throws IOException {
        if (relays.size() >= max) {
            throw new IllegalArgumentException("the cluster holds " + max + " relays already (relay.max)");
        }
        for (String v : relays.values()) {
            RelayConfig other = RelayConfig.fromJson(new JsonObject(v));
            if (config.kind() == RelayConfig.Kind.PULL && other.kind() == RelayConfig.Kind.PULL
                    && other.localStreamName().equals(config.localStreamName())) {
                throw new IllegalArgumentException("pull " + other.id() + " publishes " + config.localStreamName()
                        + " already");
            }
            if (config.kind() == RelayConfig.Kind.PUSH && other.kind() == RelayConfig.Kind.PUSH
                    && other.localStreamName().equals(config.localStreamName())
                    && RelaySchemes.of(other).map(s -> s.destination().apply(other)).orElse("")
                    .equals(scheme.destination().apply(config))) {
                throw new IllegalArgumentException("push " + other.id() + " sends " + config.localStreamName()
                        + " there already");
            }
        }
        relays.put(config.id(), config.toJson().encode());
        writeFile();
        log.info("{} {} added: {} {} {}", config.kind().name().toLowerCase(Locale.ROOT), config.id(),
                config.localStreamName(), config.kind() == RelayConfig.Kind.PULL ? "from" : "to",
                config.redactedUri());
        return config;
    }

    /** The startup file's relays; each keeps its {@code id}, or gets one from its kind, name and destination. */
    private static List<RelayConfig> readStartupFile(String path) {
        if (path.isEmpty()) {
            return List.of();
        }
        Object doc;
        try {
            doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                    new org.yaml.snakeyaml.LoaderOptions())).load(Files.readString(Path.of(path), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage());
        }
        if (!(doc instanceof List<?> list)) {
            throw new IllegalArgumentException(path + " must hold a list of relays");
        }
        if (list.size() > MAX_STARTUP_RELAYS) {
            throw new IllegalArgumentException(path + " holds more than " + MAX_STARTUP_RELAYS + " relays");
        }
        List<RelayConfig> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            try {
                if (!(list.get(i) instanceof Map<?, ?> fields)) {
                    throw new IllegalArgumentException("not a mapping");
                }
                out.add(startupRelay(fields));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ", relay " + i + ": " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static RelayConfig startupRelay(Map<?, ?> fields) {
        Map<String, String> text = new HashMap<>();
        fields.forEach((k, v) -> text.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        String kindText = text.getOrDefault("kind", "");
        if (!kindText.equals("pull") && !kindText.equals("push")) {
            throw new IllegalArgumentException("kind must be pull or push");
        }
        RelayConfig.Kind kind = RelayConfig.Kind.valueOf(kindText.toUpperCase(Locale.ROOT));
        String keepAlive = text.getOrDefault("keepAlive", "true");
        Map<String, String> options = new HashMap<>();
        for (String name : RelaySchemes.optionNames()) {
            if (text.containsKey(name)) {
                options.put(name, text.get(name));
            }
        }
        String local = text.getOrDefault("localStreamName", "");
        String uri = text.getOrDefault("uri", "");
        String id = text.getOrDefault("id", kindText + "-" + local + "-"
                + Integer.toHexString((uri + "\u0000" + text.getOrDefault("targetStreamName", "")).hashCode()));
        RelayConfig c = new RelayConfig(id, kind, uri, local, text.getOrDefault("targetStreamName", ""),
                !keepAlive.equals("false") && !keepAlive.equals("0"), options);
        check(c);
        return c;
    }

    /** What makes a relay impossible to run anywhere, said before it is stored. */
    private static RelaySchemes.Scheme check(RelayConfig config) {
        RelaySchemes.Scheme scheme = RelaySchemes.of(config).orElseThrow(() -> new IllegalArgumentException(
                "uri: scheme '" + config.scheme() + "' is not supported for a " + config.kind().name()
                        .toLowerCase(Locale.ROOT) + "; " + String.join(", ", RelaySchemes.names(config.kind())) + " are"));
        for (String option : config.options().keySet()) {
            if (!scheme.options().contains(option)) {
                throw new IllegalArgumentException(option + " does not apply to " + config.scheme() + ":// "
                        + config.kind().name().toLowerCase(Locale.ROOT) + "s");
            }
        }
        try {
            scheme.destination().apply(config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("uri: " + e.getMessage());
        }
        return scheme;
    }

    @Override
    public Future<JsonArray> configs() {
        return vertx.executeBlocking(() -> {
            JsonArray out = new JsonArray();
            relays.values().forEach(v -> {
                RelayConfig c = RelayConfig.fromJson(new JsonObject(v));
                out.add(c.toJson().put("uri", c.redactedUri()));
            });
            return out;
        }, false);
    }

    /** The cluster's relays, and where each runs ("" when no member can run it). */
    private record Placed(List<RelayConfig> relays, Map<String, String> nodeOf) {
    }

    @Override
    public Future<JsonArray> list() {
        return vertx.executeBlocking(() -> {
            List<RelayConfig> all = new ArrayList<>();
            relays.values().forEach(v -> all.add(RelayConfig.fromJson(new JsonObject(v))));
            all.sort(java.util.Comparator.comparing(RelayConfig::id));
            Map<String, Member> members = ClusterMembers.byNode(hazelcast);
            Map<String, String> nodeOf = new HashMap<>();
            for (RelayConfig c : all) {
                String runner = placement(c, members);
                nodeOf.put(c.id(), runner == null ? "" : runner);
            }
            return new Placed(all, nodeOf);
        }, false).compose(placed -> {
            // every reply is handled on this context, one after another
            Map<String, JsonObject> states = new HashMap<>();
            List<Future<Void>> asked = new ArrayList<>();
            for (String runner : new java.util.HashSet<>(placed.nodeOf().values())) {
                if (runner.isEmpty()) {
                    continue;
                }
                asked.add(vertx.eventBus().<JsonArray>request(STATUS_ADDRESS + runner, "",
                                new DeliveryOptions().setSendTimeout(STATUS_TIMEOUT_MS))
                        .map(reply -> {
                            for (int i = 0; i < reply.body().size(); i++) {
                                JsonObject s = reply.body().getJsonObject(i);
                                states.put(s.getString("id"), s.getJsonObject("status"));
                            }
                            return (Void) null;
                        }).otherwiseEmpty());
            }
            return Future.join(asked).transform(done -> {
                JsonArray out = new JsonArray();
                for (RelayConfig c : placed.relays()) {
                    // the node running it did not answer in time, or has not started it yet: the same fields,
                    // nothing known
                    out.add(c.toJson().put("uri", c.redactedUri()).put("node", placed.nodeOf().get(c.id()))
                            .put("status", states.getOrDefault(c.id(), new JsonObject().put("state", "unknown")
                                    .put("attempts", 0).put("lastError", ""))));
                }
                return Future.succeededFuture(out);
            });
        });
    }

    @Override
    public Future<Boolean> remove(String id) {
        return vertx.executeBlocking(() -> {
            String removed = relays.remove(id);
            if (removed != null) {
                writeFile();
                log.info("relay {} removed", id);
            }
            return removed != null;
        }, false);
    }

    @Override
    public List<String> optionNames() {
        return RelaySchemes.optionNames();
    }

    // ---- this node's share ----

    /** Relays of this kind ("pull", "push") running here: a metrics gauge reads it from its own thread. */
    int running(String kind) {
        return (int) running.values().stream().filter(r -> r.config().kind().name().equalsIgnoreCase(kind)).count();
    }

    /** The state of each relay running here, for a node listing them. */
    private JsonArray localStatus() {
        JsonArray out = new JsonArray();
        running.forEach((id, r) -> out.add(new JsonObject().put("id", id).put("status", r.relay().status())));
        return out;
    }

    /** Coalesces the reasons to look (a change, a member, the clock) into one check on the event loop. */
    private void checkSoon() {
        context.runOnContext(v -> {
            if (checkPending) {
                return;
            }
            checkPending = true;
            vertx.executeBlocking(() -> {
                Map<String, RelayConfig> all = new HashMap<>();
                relays.forEach((id, v2) -> all.put(id, RelayConfig.fromJson(new JsonObject(v2))));
                Map<String, Member> members = ClusterMembers.byNode(hazelcast);
                Map<String, RelayConfig> mine = new HashMap<>();
                all.forEach((id, c) -> {
                    if (node.nodeId.equals(placement(c, members))) {
                        mine.put(id, c);
                    }
                });
                return mine;
            }, false).onComplete(done -> {
                checkPending = false;
                if (done.succeeded()) {
                    apply(done.result());
                } else {
                    log.debug("relays not checked: {}", done.cause().toString());
                }
            });
        });
    }

    /** Starts the relays this node should run and does not, and stops those it runs and should not. */
    private void apply(Map<String, RelayConfig> mine) {
        for (String id : List.copyOf(running.keySet())) {
            RelayConfig wanted = mine.get(id);
            if (wanted == null || !wanted.equals(running.get(id).config())) {
                log.info("relay {}: stopped here ({})", id, wanted == null ? "removed, or another node runs it now"
                        : "changed");
                running.remove(id).relay().stop();
            }
        }
        mine.forEach((id, c) -> {
            if (running.containsKey(id)) {
                return;
            }
            try {
                Relay relay = check(c).start(node, clients, c);
                running.put(id, new Running(c, relay));
                log.info("relay {}: runs here ({} {} {})", id, c.localStreamName(),
                        c.kind() == RelayConfig.Kind.PULL ? "from" : "to", c.redactedUri());
            } catch (IllegalArgumentException e) {
                log.warn("relay {} cannot run: {}", id, e.getMessage());
            }
        });
    }

    /**
     * The node that runs the relay: of the members with the role it needs, the one whose hash with the relay's id is
     * highest (rendezvous hashing), so the answer is the same on every node and changes for few relays when a node
     * comes or goes. Null when no member can run it.
     */
    static String placement(RelayConfig c, Map<String, Member> members) {
        String role = (c.kind() == RelayConfig.Kind.PULL ? Role.INGEST : Role.EDGE).name().toLowerCase(Locale.ROOT);
        String best = null;
        long bestScore = Long.MIN_VALUE;
        for (Map.Entry<String, Member> e : members.entrySet()) {
            if (!ClusterMembers.roles(e.getValue()).contains(role)) {
                continue;
            }
            long score = score(c.id(), e.getKey());
            if (score > bestScore || (score == bestScore && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
                bestScore = score;
            }
        }
        return best;
    }

    /** A well-mixed 64-bit hash of the pair (String.hashCode is fixed by the language, the same on every JVM). */
    static long score(String relay, String node) {
        long h = relay.hashCode() * 0x9E3779B97F4A7C15L + node.hashCode();
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    /** Any change of the set: this node's file follows it, and its share is checked. */
    private final class Changes implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
            EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            changed();
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            changed();
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            changed();
        }

        private void changed() {
            vertx.executeBlocking(() -> {
                writeFile();
                return null;
            }, false).onFailure(e -> log.warn("{} not written: {}", file, e.toString()));
            checkSoon();
        }
    }
}
