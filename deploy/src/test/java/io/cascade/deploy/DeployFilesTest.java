package io.cascade.deploy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The deployment files agree with the code and with each other: the compose file, its Prometheus and Grafana
 * files, the Kubernetes manifests and the local cluster's scrape config. No Docker engine or Kubernetes is
 * needed; a compose validator ({@code docker compose} or {@code docker-compose}) is run when one is installed.
 */
class DeployFilesTest {
    /** CASCADE_* variables read by the launchers (deploy/bin/cascade, the image, logback), not by NodeConfig. */
    static final Set<String> LAUNCHER_VARIABLES = Set.of("CASCADE_JAVA_OPTS", "CASCADE_LOG_LEVEL");
    static final Set<String> NODE_SERVICES = Set.of("origin", "edge1", "edge2");
    /** What {@link #nodeEnv} puts for a variable the compose file requires. */
    private static final String REQUIRED_VALUE = "(required)";

    private static final Path ROOT = GrafanaDashboardIT.repoRoot();
    private static final Path COMPOSE_DIR = ROOT.resolve("deploy/compose");

    // ---- compose -------------------------------------------------------------------------------------------

    @Test
    void composeHasTheNodesPrometheusAndGrafana() throws IOException {
        Map<String, Object> services = map(compose().get("services"), "services");
        for (String s : List.of("origin", "edge1", "edge2", "prometheus", "grafana")) {
            assertTrue(services.containsKey(s), "compose service " + s + " missing: " + services.keySet());
        }
        assertEquals(Set.of("INGEST", "ORIGIN"), roles(nodeEnv("origin")));
        assertEquals(Set.of("EDGE"), roles(nodeEnv("edge1")));
        assertEquals(Set.of("EDGE"), roles(nodeEnv("edge2")));
    }

    @Test
    void composeEnvironmentNamesRealSettings() throws IOException {
        for (String s : NODE_SERVICES) {
            assertEquals(List.of(), unknownSettings(nodeEnv(s).keySet()), "service " + s);
            // the values themselves load: a bad port or role would stop the node
            NodeConfig c = NodeConfig.load(new String[0], nodeEnv(s));
            c.roles();
            c.port("rtmp.port");
            c.port("http.port");
            c.port("cluster.port");
        }
    }

    /**
     * A node whose API listens beyond loopback does not start without a token: the compose file must make the
     * operator give one (a required variable), never default it to empty.
     */
    @Test
    void composeRequiresATokenForAnApiBeyondLoopback() throws IOException {
        for (String s : NODE_SERVICES) {
            Map<String, String> env = nodeEnv(s);
            NodeConfig c = NodeConfig.load(new String[0], env); // would throw for an open API
            boolean apiServed = c.roles().contains(NodeConfig.Role.ORIGIN) && c.port("api.port") != 0;
            if (apiServed && !NodeConfig.loopback(c.get("api.host"))) {
                assertEquals(REQUIRED_VALUE, c.get("api.token"), s + ": api.token must come from a required variable");
            }
        }
        String origin = String.valueOf(service("origin").get("environment"));
        assertTrue(origin.contains("${CASCADE_API_TOKEN:?"), origin);
        Map<String, String> empty = new java.util.HashMap<>(nodeEnv("origin"));
        empty.put("CASCADE_API_TOKEN", "");
        assertThrows(io.cascade.settings.SettingsException.class, () -> NodeConfig.load(new String[0], empty),
                "the origin without a token must not start");
    }

    @Test
    void composeClusterMembersAreTheNodeServicesOnTheirClusterPorts() throws IOException {
        Set<String> named = new TreeSet<>();
        for (String s : NODE_SERVICES) {
            NodeConfig c = NodeConfig.load(new String[0], nodeEnv(s));
            assertEquals("tcp", c.get("cluster.discovery"), s);
            assertTrue(c.get("cluster.host").isEmpty(), s + ": cluster.host must be an IP; unset, Hazelcast picks one");
            for (String member : ClusterSetup.members(c)) {
                String[] hp = member.split(":");
                assertEquals(2, hp.length, s + ": member " + member + " is host:port");
                assertTrue(NODE_SERVICES.contains(hp[0]), s + ": member " + member + " is no node service");
                int port = NodeConfig.load(new String[0], nodeEnv(hp[0])).port("cluster.port");
                assertEquals(port, Integer.parseInt(hp[1]), s + ": member " + member + " is not its cluster port");
                named.add(hp[0]);
            }
            assertEquals(c.get("cluster.name"), NodeConfig.load(new String[0], nodeEnv("origin")).get("cluster.name"));
        }
        assertEquals(new TreeSet<>(NODE_SERVICES), named, "every node is a member");
    }

    @Test
    void composeHealthchecksAskReadyzOnTheHttpPort() throws IOException {
        for (String s : NODE_SERVICES) {
            Map<String, Object> health = map(service(s).get("healthcheck"), s + ".healthcheck");
            String test = String.valueOf(health.get("test"));
            int http = NodeConfig.load(new String[0], nodeEnv(s)).port("http.port");
            assertTrue(test.contains("/readyz") && test.contains(String.valueOf(http)), s + ": " + test);
        }
    }

    @Test
    void composePublishedPortsDoNotCollideAndReachTheListeners() throws IOException {
        Map<String, String> owner = new HashMap<>();
        for (Map.Entry<String, Object> e : map(compose().get("services"), "services").entrySet()) {
            Object ports = map(e.getValue(), e.getKey()).get("ports");
            if (ports == null) {
                continue;
            }
            for (Object p : list(ports, e.getKey() + ".ports")) {
                String[] parts = String.valueOf(p).split(":");
                assertTrue(parts.length == 2 || parts.length == 3, e.getKey() + ": port " + p);
                String hostSide = parts.length == 3 ? parts[1] : parts[0];
                String previous = owner.put(hostSide, e.getKey());
                assertEquals(null, previous, "host port " + hostSide + " published by " + previous + " and " + e.getKey());
                if (NODE_SERVICES.contains(e.getKey())) {
                    int target = Integer.parseInt(parts[parts.length - 1]);
                    NodeConfig c = NodeConfig.load(new String[0], nodeEnv(e.getKey()));
                    Set<Integer> listeners = Set.of(c.port("rtmp.port"), c.port("rtsp.port"), c.port("http.port"),
                            c.port("api.port"));
                    assertTrue(listeners.contains(target), e.getKey() + ": " + p + " reaches no listener " + listeners);
                }
            }
        }
        assertFalse(owner.isEmpty());
    }

    @Test
    void composeGrafanaMountsTheRepositoryProvisioningWhereItExpectsIt() throws IOException {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object v : list(service("grafana").get("volumes"), "grafana.volumes")) {
            String[] parts = String.valueOf(v).split(":");
            Path host = COMPOSE_DIR.resolve(parts[0]).normalize();
            assertTrue(Files.isDirectory(host), "grafana mount " + v + ": no folder " + host);
            assertTrue(host.startsWith(ROOT), "grafana mount " + v + " leaves the repository");
            mounts.put(ROOT.relativize(host).toString().replace('\\', '/'), parts[1]);
        }
        assertEquals("/etc/grafana/provisioning/dashboards", mounts.get("grafana/provisioning/dashboards"), mounts.toString());
        assertEquals("/etc/grafana/provisioning/datasources", mounts.get("deploy/compose/grafana/datasources"),
                mounts.toString());
        // the dashboards go where the repository's provider looks for them
        Map<String, Object> provider = map(list(yaml(ROOT.resolve("grafana/provisioning/dashboards/cascade.yml"))
                .get("providers"), "providers").get(0), "provider");
        assertEquals(map(provider.get("options"), "options").get("path"), mounts.get("grafana/dashboards"));

        // the compose datasource is the repository's, with the prometheus service as its address
        Map<String, Object> repoSource = datasource(ROOT.resolve("grafana/provisioning/datasources/prometheus.yml"));
        Map<String, Object> composeSource = datasource(COMPOSE_DIR.resolve("grafana/datasources/prometheus.yml"));
        assertEquals(repoSource.get("uid"), composeSource.get("uid"));
        assertEquals(repoSource.get("type"), composeSource.get("type"));
        assertEquals("http://prometheus:9090", composeSource.get("url"));
        assertTrue(String.valueOf(service("prometheus").get("ports")).contains(":9090"));
    }

    @Test
    void composePrometheusScrapesEveryNodeOnItsHttpPort() throws IOException {
        boolean mounted = list(service("prometheus").get("volumes"), "prometheus.volumes").stream()
                .anyMatch(v -> String.valueOf(v).startsWith("./prometheus.yml:/etc/prometheus/prometheus.yml"));
        assertTrue(mounted, "prometheus mounts deploy/compose/prometheus.yml");
        Set<String> scraped = new TreeSet<>();
        for (String target : targets(COMPOSE_DIR.resolve("prometheus.yml"))) {
            String[] hp = target.split(":");
            assertTrue(NODE_SERVICES.contains(hp[0]), "target " + target + " is no node service");
            assertEquals(NodeConfig.load(new String[0], nodeEnv(hp[0])).port("http.port"), Integer.parseInt(hp[1]),
                    "target " + target + " is not the node's http.port");
            scraped.add(hp[0]);
        }
        assertEquals(new TreeSet<>(NODE_SERVICES), scraped);
    }

    @Test
    void composeValidatorAcceptsTheFileWhenOneIsInstalled() throws Exception {
        Path file = COMPOSE_DIR.resolve("compose.yaml");
        for (List<String> validator : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
            List<String> version = new ArrayList<>(validator);
            version.add("version");
            if (run(version, false) != 0) {
                continue;
            }
            List<String> config = new ArrayList<>(validator);
            config.addAll(List.of("-f", file.toString(), "config", "-q"));
            // the file requires the origin's API token: give one, as an operator must
            assertEquals(0, run(config, true, Map.of("CASCADE_API_TOKEN", "compose-check")), String.join(" ", config));
            return;
        }
        System.out.println("DeployFilesTest: no docker compose / docker-compose here, compose file checked by parsing only");
    }

    // ---- Kubernetes ----------------------------------------------------------------------------------------

    @Test
    void kubernetesManifestsHaveTheExpectedKinds() throws IOException {
        List<Map<String, Object>> docs = k8s();
        Set<String> kinds = docs.stream().map(d -> String.valueOf(d.get("kind"))).collect(Collectors.toSet());
        assertTrue(Set.of("Service", "StatefulSet", "Deployment", "ConfigMap").containsAll(kinds), kinds.toString());
        assertEquals(2, docs.stream().filter(d -> "Service".equals(d.get("kind"))).count(), "two services");
        assertEquals(1, workloads(docs).size(), "one StatefulSet or Deployment");
        for (Map<String, Object> d : docs) {
            assertNotNull(d.get("apiVersion"), d.toString());
            assertNotNull(map(d.get("metadata"), "metadata").get("name"), d.toString());
        }
    }

    @Test
    void headlessServiceSelectsThePodsAndPublishesNotReadyAddresses() throws IOException {
        List<Map<String, Object>> docs = k8s();
        Map<String, Object> headless = headless(docs);
        Map<String, Object> spec = map(headless.get("spec"), "spec");
        assertEquals(true, spec.get("publishNotReadyAddresses"), "pods join before they are ready");
        Map<String, Object> hz = port(spec, "hazelcast");
        assertEquals(5701, hz.get("port"));
        Map<String, Object> workload = workloads(docs).get(0);
        assertTrue(selects(spec, podLabels(workload)), "headless service selects the pods");
        if ("StatefulSet".equals(workload.get("kind"))) {
            assertEquals(name(headless), map(workload.get("spec"), "spec").get("serviceName"));
        }
        assertEquals(5701, containerPort(container(workload), hz.get("targetPort")));
    }

    @Test
    void clientServiceCarriesRtmpAndHttpToThePods() throws IOException {
        List<Map<String, Object>> docs = k8s();
        Map<String, Object> headless = headless(docs);
        Map<String, Object> client = docs.stream().filter(d -> "Service".equals(d.get("kind")) && d != headless)
                .findFirst().orElseThrow();
        Map<String, Object> spec = map(client.get("spec"), "spec");
        Map<String, Object> workload = workloads(docs).get(0);
        assertTrue(selects(spec, podLabels(workload)), "client service selects the pods");
        NodeConfig c = podConfig(workload);
        assertEquals(1935, port(spec, "rtmp").get("port"));
        assertEquals(c.port("rtmp.port"), containerPort(container(workload), port(spec, "rtmp").get("targetPort")));
        assertEquals(5544, port(spec, "rtsp").get("port"));
        assertEquals(c.port("rtsp.port"), containerPort(container(workload), port(spec, "rtsp").get("targetPort")));
        assertEquals(8888, port(spec, "http").get("port"));
        assertEquals(c.port("http.port"), containerPort(container(workload), port(spec, "http").get("targetPort")));
    }

    @Test
    void podsDiscoverEachOtherThroughTheHeadlessServiceDns() throws IOException {
        List<Map<String, Object>> docs = k8s();
        Map<String, Object> workload = workloads(docs).get(0);
        Map<String, Map<String, Object>> env = env(container(workload));
        assertEquals(List.of(), unknownSettings(env.keySet()));
        assertEquals("kubernetes", env.get("CASCADE_CLUSTER_DISCOVERY").get("value"));
        String dns = String.valueOf(env.get("CASCADE_CLUSTER_KUBERNETES_SERVICE_DNS").get("value"));
        assertTrue(dns.startsWith(name(headless(docs)) + ".") && dns.contains(".svc."), dns);
        assertEquals("metadata.name", fieldRef(env.get("CASCADE_NODE_NAME")));
        assertEquals("status.podIP", fieldRef(env.get("CASCADE_CLUSTER_HOST")));
        // $(VAR) in a value only expands a variable defined before it
        List<String> order = new ArrayList<>(env.keySet());
        for (Map.Entry<String, Map<String, Object>> e : env.entrySet()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\(([A-Z_]+)\\)")
                    .matcher(String.valueOf(e.getValue().get("value")));
            while (m.find()) {
                int at = order.indexOf(m.group(1));
                assertTrue(at >= 0 && at < order.indexOf(e.getKey()), e.getKey() + " uses $(" + m.group(1) + ")");
            }
        }
        NodeConfig c = podConfig(workload);
        assertTrue(ClusterSetup.kubernetes(c));
        assertEquals(5701, c.port("cluster.port"));
        c.roles();
    }

    @Test
    void probesAskReadyzAndHealthzOnTheHttpPort() throws IOException {
        Map<String, Object> workload = workloads(k8s()).get(0);
        Map<String, Object> container = container(workload);
        int http = podConfig(workload).port("http.port");
        assertEquals("/readyz", probePath(container, "readinessProbe"));
        assertEquals(http, probePort(container, "readinessProbe"));
        assertEquals("/healthz", probePath(container, "livenessProbe"));
        assertEquals(http, probePort(container, "livenessProbe"));
        if (container.containsKey("startupProbe")) {
            assertEquals(http, probePort(container, "startupProbe"));
        }
        Map<String, Object> resources = map(container.get("resources"), "resources");
        assertNotNull(resources.get("requests"));
        assertNotNull(map(resources.get("limits"), "limits").get("memory"));
        Object grace = map(map(map(workload.get("spec"), "spec").get("template"), "template").get("spec"), "pod spec")
                .get("terminationGracePeriodSeconds");
        long drain = NodeBalancing.DRAIN_GRACE_MS.defaultValue();
        assertTrue(grace instanceof Integer g && g * 1000L > drain + CascadeNode.STOP_TIMEOUT_MS,
                "the grace period outlasts the drain and the node's own stop timeout: " + grace);
        List<?> preStop = (List<?>) map(map(map(container.get("lifecycle"), "lifecycle").get("preStop"), "preStop")
                .get("exec"), "exec").get("command");
        String command = String.valueOf(preStop.get(preStop.size() - 1));
        assertTrue(command.contains("/api/drainNode?node=") && command.contains("7777")
                && command.contains("sleep " + (drain / 1000 + 1)), "preStop drains through the API: " + command);
    }

    // ---- JVM options -------------------------------------------------------------------------------------

    /**
     * The image and the StatefulSet size the heap to the container (MaxRAMPercentage) and set CASCADE_JAVA_OPTS
     * themselves; every other option the launcher prints must be in both, so a node runs the same JVM everywhere.
     */
    @Test
    void theImageAndTheStatefulSetCarryTheLaunchersJvmOptions() throws Exception {
        Path script = ROOT.resolve("deploy/bin/jvm-options");
        assertTrue(Files.isExecutable(script));
        Process p = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, printed);
        List<String> options = Stream.of(printed.split(" +"))
                .filter(o -> !o.startsWith("-Xms") && !o.startsWith("-Xmx")).toList();
        assertTrue(options.contains("-XX:TieredStopAtLevel=1"), printed);
        String image = Files.readString(ROOT.resolve("deploy/Dockerfile"));
        String statefulSet = Files.readString(ROOT.resolve("deploy/k8s/cascade-statefulset.yaml"));
        for (String option : options) {
            assertTrue(image.contains("CASCADE_JAVA_OPTS=\"") && image.contains(option), "the image lacks " + option);
            assertTrue(statefulSet.contains(option), "the StatefulSet lacks " + option);
        }
    }

    // ---- local cluster -------------------------------------------------------------------------------------

    @Test
    void localClusterScrapeConfigListsTheScriptsDefaultHttpPorts() throws IOException {
        String script = Files.readString(ROOT.resolve("deploy/bin/cluster"));
        assertTrue(script.contains("base_http=${CASCADE_CLUSTER_BASE_HTTP:-8888}"), "the script's default HTTP base");
        assertTrue(Files.isExecutable(ROOT.resolve("deploy/bin/cluster")));
        assertEquals(List.of("127.0.0.1:8888", "127.0.0.1:8889", "127.0.0.1:8890"),
                targets(ROOT.resolve("deploy/prometheus/prometheus-local-cluster.yml")));
    }

    @Test
    void theSettingsCheckCatchesTypos() {
        assertEquals(List.of("CASCADE_RTMP_PROT"), unknownSettings(Set.of("CASCADE_RTMP_PORT", "CASCADE_RTMP_PROT",
                "CASCADE_JAVA_OPTS", "POD_NAMESPACE")));
    }

    // ---- player libraries ----------------------------------------------------------------------------------

    /**
     * The build fetches the player page's JavaScript itself (deploy/pom.xml); the browser tests install theirs
     * with npm ci from deploy/browser/package-lock.json. Both are the same tarballs: same version, and the pom's
     * sha512 is the lock's integrity.
     */
    @Test
    void thePlayerLibrariesTheBuildFetchesAreTheOnesTheLockPins() throws Exception {
        Map<String, String> props = pomProperties(ROOT.resolve("deploy/pom.xml"));
        JsonObject packages = new JsonObject(
                Files.readString(ROOT.resolve("deploy/browser/package-lock.json"))).getJsonObject("packages");
        Map<String, String> npmNames = Map.of("hlsjs", "hls.js", "dashjs", "dashjs", "mpegtsjs", "mpegts.js");
        npmNames.forEach((prop, npm) -> {
            JsonObject locked = packages.getJsonObject("node_modules/" + npm);
            assertNotNull(locked, npm + " in package-lock.json");
            assertEquals(locked.getString("version"), props.get(prop + ".version"), npm + " version");
            String integrity = locked.getString("integrity");
            assertTrue(integrity.startsWith("sha512-"), npm + ": " + integrity);
            assertEquals(HexFormat.of().formatHex(
                            Base64.getDecoder().decode(integrity.substring("sha512-".length()))),
                    props.get(prop + ".sha512"), npm + " sha512");
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** CASCADE_* names that are neither a NodeConfig setting nor a launcher variable. */
    static List<String> unknownSettings(Set<String> names) {
        Set<String> known = NodeConfig.acceptedKeys().stream().map(NodeConfig::envName).collect(Collectors.toSet());
        known.addAll(LAUNCHER_VARIABLES);
        return names.stream().filter(n -> n.startsWith(NodeConfig.ENV_PREFIX) && !known.contains(n)).sorted().toList();
    }

    private static Set<String> roles(Map<String, String> env) throws IOException {
        return NodeConfig.load(new String[0], env).roles().stream().map(Enum::name).collect(Collectors.toSet());
    }

    private static Map<String, Object> compose() throws IOException {
        return yaml(COMPOSE_DIR.resolve("compose.yaml"));
    }

    private static Map<String, Object> service(String name) throws IOException {
        return map(map(compose().get("services"), "services").get(name), name);
    }

    /** A node service's environment as the node sees it (compose's ${VAR:-default} taken at its default). */
    private static Map<String, String> nodeEnv(String service) throws IOException {
        Object env = service(service).get("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (env instanceof List<?> l) {
            for (Object item : l) {
                String s = String.valueOf(item);
                int eq = s.indexOf('=');
                out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        out.replaceAll((k, v) -> v.replaceAll("\\$\\{[A-Za-z0-9_]+:-([^}]*)}", "$1")
                // a variable compose requires (${X:?message}) stands for a value the operator must give
                .replaceAll("\\$\\{[A-Za-z0-9_]+:\\?[^}]*}", REQUIRED_VALUE));
        return out;
    }

    private static Map<String, Object> datasource(Path file) throws IOException {
        return map(list(yaml(file).get("datasources"), "datasources").get(0), "datasource");
    }

    private static List<String> targets(Path prometheusConfig) throws IOException {
        List<String> out = new ArrayList<>();
        for (Object job : list(yaml(prometheusConfig).get("scrape_configs"), "scrape_configs")) {
            for (Object sc : list(map(job, "job").get("static_configs"), "static_configs")) {
                list(map(sc, "static_config").get("targets"), "targets").forEach(t -> out.add(String.valueOf(t)));
            }
        }
        return out;
    }

    private static List<Map<String, Object>> k8s() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(ROOT.resolve("deploy/k8s"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no manifests in deploy/k8s");
        for (Path f : files) {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(f))) {
                if (doc != null) {
                    docs.add(map(doc, f.getFileName().toString()));
                }
            }
        }
        return docs;
    }

    private static List<Map<String, Object>> workloads(List<Map<String, Object>> docs) {
        return docs.stream().filter(d -> "StatefulSet".equals(d.get("kind")) || "Deployment".equals(d.get("kind")))
                .toList();
    }

    private static Map<String, Object> headless(List<Map<String, Object>> docs) {
        List<Map<String, Object>> found = docs.stream().filter(d -> "Service".equals(d.get("kind"))
                && "None".equals(map(d.get("spec"), "spec").get("clusterIP"))).toList();
        assertEquals(1, found.size(), "one headless service (clusterIP: None)");
        return found.get(0);
    }

    private static String name(Map<String, Object> doc) {
        return String.valueOf(map(doc.get("metadata"), "metadata").get("name"));
    }

    private static Map<String, Object> podLabels(Map<String, Object> workload) {
        Map<String, Object> spec = map(workload.get("spec"), "spec");
        Map<String, Object> labels = map(map(map(spec.get("template"), "template").get("metadata"), "metadata")
                .get("labels"), "labels");
        Map<String, Object> matchLabels = map(map(spec.get("selector"), "selector").get("matchLabels"), "matchLabels");
        assertTrue(selects(Map.of("selector", matchLabels), labels), "the workload's selector matches its own pods");
        return labels;
    }

    /** True when the spec's selector (or matchLabels under "selector") is non-empty and every label matches. */
    private static boolean selects(Map<String, Object> spec, Map<String, Object> labels) {
        Object selector = spec.get("selector");
        if (!(selector instanceof Map<?, ?> sel) || sel.isEmpty()) {
            return false;
        }
        return sel.entrySet().stream().allMatch(e -> String.valueOf(e.getValue()).equals(String.valueOf(labels.get(e.getKey()))));
    }

    private static Map<String, Object> container(Map<String, Object> workload) {
        Map<String, Object> pod = map(map(map(workload.get("spec"), "spec").get("template"), "template").get("spec"),
                "pod spec");
        List<Object> containers = list(pod.get("containers"), "containers");
        assertEquals(1, containers.size());
        return map(containers.get(0), "container");
    }

    private static Map<String, Object> port(Map<String, Object> serviceSpec, String name) {
        return list(serviceSpec.get("ports"), "ports").stream().map(p -> map(p, "port"))
                .filter(p -> name.equals(p.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no port named " + name + " in " + serviceSpec));
    }

    /** The container port a service targetPort or probe port names: a number, or a container port's name. */
    private static int containerPort(Map<String, Object> container, Object ref) {
        if (ref instanceof Integer i) {
            return i;
        }
        return list(container.get("ports"), "container ports").stream().map(p -> map(p, "container port"))
                .filter(p -> String.valueOf(ref).equals(p.get("name"))).map(p -> (Integer) p.get("containerPort"))
                .findFirst().orElseThrow(() -> new AssertionError("no container port named " + ref));
    }

    private static Map<String, Map<String, Object>> env(Map<String, Object> container) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Object e : list(container.get("env"), "env")) {
            Map<String, Object> m = map(e, "env entry");
            assertEquals(null, out.put(String.valueOf(m.get("name")), m), "env " + m.get("name") + " twice");
        }
        return out;
    }

    private static String fieldRef(Map<String, Object> envEntry) {
        assertNotNull(envEntry, "env entry missing");
        return String.valueOf(map(map(envEntry.get("valueFrom"), "valueFrom").get("fieldRef"), "fieldRef")
                .get("fieldPath"));
    }

    /** The pod's settings: literal env values (fieldRefs stand in as placeholders), as NodeConfig loads them. */
    private static NodeConfig podConfig(Map<String, Object> workload) throws IOException {
        Map<String, String> values = new HashMap<>();
        env(container(workload)).forEach((k, v) -> values.put(k, v.containsKey("value") ? String.valueOf(v.get("value"))
                : "10.0.0.1"));
        return NodeConfig.load(new String[0], values);
    }

    private static String probePath(Map<String, Object> container, String probe) {
        return String.valueOf(map(map(container.get(probe), probe).get("httpGet"), probe + ".httpGet").get("path"));
    }

    private static int probePort(Map<String, Object> container, String probe) {
        return containerPort(container, map(map(container.get(probe), probe).get("httpGet"), probe + ".httpGet")
                .get("port"));
    }

    private static int run(List<String> command, boolean show) throws Exception {
        return run(command, show, Map.of());
    }

    private static int run(List<String> command, boolean show, Map<String, String> env) throws Exception {
        Process p;
        try {
            ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
            b.environment().putAll(env);
            p = b.start();
        } catch (IOException notInstalled) {
            return -1;
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (show && p.exitValue() != 0) {
            System.out.println(out);
        }
        return p.exitValue();
    }

    /** The {@code <properties>} of a pom, by name. */
    private static Map<String, String> pomProperties(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(pom.toFile());
        Map<String, String> out = new HashMap<>();
        NodeList sections = doc.getDocumentElement().getElementsByTagName("properties");
        for (int i = 0; i < sections.getLength(); i++) {
            NodeList children = sections.item(i).getChildNodes();
            for (int j = 0; j < children.getLength(); j++) {
                if (children.item(j) instanceof Element e) {
                    out.put(e.getTagName(), e.getTextContent().trim());
                }
            }
        }
        return out;
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file)), file.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        assertTrue(o instanceof Map, what + " is a mapping: " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String what) {
        assertTrue(o instanceof List, what + " is a list: " + o);
        return (List<Object>) o;
    }
}
