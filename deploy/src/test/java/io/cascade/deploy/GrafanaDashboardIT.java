package io.cascade.deploy;

import io.cascade.edge.http.HttpDelivery;
import io.cascade.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboards under {@code grafana/dashboards/} query only metrics a node really exports: every metric name
 * in every PromQL expression (panel targets and template variables) must be on a node's {@code /metrics}.
 * Cascade's own names must be there from startup; names that Vert.x and the JVM create on first use (event-bus
 * counters, GC pauses) are checked after a publish, a play and a GC.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GrafanaDashboardIT {
    /** The overview's uid is part of its links and of the README: it never changes. */
    static final String OVERVIEW_UID = "cascade-overview";

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> FUNCTIONS = Set.of("abs", "absent", "absent_over_time", "ceil", "changes",
            "clamp", "clamp_max", "clamp_min", "day_of_month", "day_of_week", "day_of_year", "days_in_month",
            "delta", "deriv", "exp", "floor", "histogram_avg", "histogram_count", "histogram_fraction",
            "histogram_quantile", "histogram_stddev", "histogram_stdvar", "histogram_sum", "holt_winters",
            "double_exponential_smoothing", "hour", "idelta", "increase", "irate", "label_join", "label_replace",
            "ln", "log2", "log10", "minute", "month", "predict_linear", "rate", "resets", "round", "scalar", "sgn",
            "sort", "sort_desc", "sort_by_label", "sort_by_label_desc", "sqrt", "time", "timestamp", "vector",
            "year", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
            "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time",
            "mad_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan",
            "tanh", "deg", "rad", "pi", "info", "start", "end");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "atan2", "offset", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern TOKEN =
            Pattern.compile("\\$\\w+|\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?[a-zA-Z]*|[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("^\\s*label_values\\(\\s*(?:(.*),)?\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)\\s*$", Pattern.DOTALL);
    private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);

    /**
     * The metric names in a PromQL expression: identifiers that are not functions, aggregations, keywords or
     * label names. Strings, label matchers, ranges and grouping clauses are removed first, Grafana variables
     * ({@code $__rate_interval}, {@code $instance}) skipped. An identifier called like a function that PromQL
     * does not have is an error, so a misspelt function cannot hide as a metric name or pass unnoticed.
     */
    static Set<String> metricNames(String expr) {
        String e = STRING.matcher(expr).replaceAll(" ");
        e = e.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        e = GROUPING.matcher(e).replaceAll(" $1 ");
        Set<String> names = new TreeSet<>();
        Matcher m = TOKEN.matcher(e);
        while (m.find()) {
            String t = m.group();
            if (t.startsWith("$") || Character.isDigit(t.charAt(0)) || AGGREGATIONS.contains(t)
                    || KEYWORDS.contains(t.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            int next = m.end();
            while (next < e.length() && Character.isWhitespace(e.charAt(next))) {
                next++;
            }
            if (next < e.length() && e.charAt(next) == '(') {
                if (!FUNCTIONS.contains(t)) {
                    throw new IllegalArgumentException("unknown PromQL function " + t + " in: " + expr);
                }
                continue;
            }
            names.add(t);
        }
        return names;
    }

    /** The metric names of a Grafana template-variable query (label_values, query_result or plain PromQL). */
    static Set<String> variableMetricNames(String query) {
        Matcher lv = LABEL_VALUES.matcher(query);
        if (lv.matches()) {
            return lv.group(1) == null ? Set.of() : metricNames(lv.group(1));
        }
        Matcher qr = QUERY_RESULT.matcher(query);
        if (qr.matches()) {
            return metricNames(qr.group(1));
        }
        if (query.matches("^\\s*(label_names|metrics)\\(.*")) {
            return Set.of();
        }
        return metricNames(query);
    }

    /** The root of the repository: the test runs in deploy/. */
    static Path repoRoot() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("grafana")) && Files.isDirectory(p.resolve("deploy"))) {
                return p;
            }
        }
        throw new AssertionError("no grafana/ folder above " + dir);
    }

    static Map<Path, JsonObject> dashboards() throws IOException {
        Map<Path, JsonObject> found = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(repoRoot().resolve("grafana").resolve("dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                found.put(f, new JsonObject(Files.readString(f)));
            }
        }
        assertFalse(found.isEmpty(), "no dashboards under grafana/dashboards");
        return found;
    }

    /** Every panel, rows' nested panels included. */
    static List<JsonObject> panels(JsonObject dashboard) {
        List<JsonObject> out = new ArrayList<>();
        collect(dashboard.getJsonArray("panels", new JsonArray()), out);
        return out;
    }

    private static void collect(JsonArray panels, List<JsonObject> out) {
        for (int i = 0; i < panels.size(); i++) {
            JsonObject p = panels.getJsonObject(i);
            out.add(p);
            collect(p.getJsonArray("panels", new JsonArray()), out);
        }
    }

    /** Every PromQL expression of a dashboard, each with where it is, for failure messages. */
    static Map<String, Set<String>> metricNamesByPlace(Path file, JsonObject dashboard) {
        Map<String, Set<String>> byPlace = new LinkedHashMap<>();
        for (JsonObject p : panels(dashboard)) {
            JsonArray targets = p.getJsonArray("targets", new JsonArray());
            for (int i = 0; i < targets.size(); i++) {
                String expr = targets.getJsonObject(i).getString("expr");
                if (expr != null) {
                    byPlace.put(file.getFileName() + " panel '" + p.getString("title") + "' "
                            + targets.getJsonObject(i).getString("refId") + ": " + expr, metricNames(expr));
                }
            }
        }
        JsonArray vars = dashboard.getJsonObject("templating", new JsonObject()).getJsonArray("list", new JsonArray());
        for (int i = 0; i < vars.size(); i++) {
            JsonObject v = vars.getJsonObject(i);
            if (!"query".equals(v.getString("type"))) {
                continue;
            }
            Object q = v.getValue("query");
            String query = q instanceof JsonObject o ? o.getString("query") : String.valueOf(q);
            byPlace.put(file.getFileName() + " variable $" + v.getString("name") + ": " + query,
                    variableMetricNames(query));
        }
        return byPlace;
    }

    /** Places whose names are not all exported, with the missing names. */
    static Map<String, Set<String>> missing(Map<String, Set<String>> byPlace, Set<String> exported) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        byPlace.forEach((place, names) -> {
            Set<String> absent = new TreeSet<>(names);
            absent.removeAll(exported);
            if (!absent.isEmpty()) {
                out.put(place, absent);
            }
        });
        return out;
    }

    private static String describe(Map<String, Set<String>> missing) {
        StringBuilder b = new StringBuilder("metrics queried by a dashboard but not exported by the node:\n");
        missing.forEach((place, names) -> b.append("  ").append(names).append(" in ").append(place).append('\n'));
        return b.toString();
    }

    @Test
    void everyMetricADashboardQueriesIsExportedByANode() throws Exception {
        Map<String, Set<String>> byPlace = new LinkedHashMap<>();
        for (Map.Entry<Path, JsonObject> d : dashboards().entrySet()) {
            byPlace.putAll(metricNamesByPlace(d.getKey(), d.getValue()));
        }
        Set<String> all = new TreeSet<>();
        byPlace.values().forEach(all::addAll);
        assertTrue(all.size() > 10, "too few metric names found, is the extraction broken? " + all);

        int rtmp = Clients.freePort();
        int http = Clients.freePort();
        CascadeNode node = new CascadeNode(NodeConfig.of(Clients.isolated(Map.of("rtmp.port", String.valueOf(rtmp),
                "http.port", String.valueOf(http), "api.port", "0", "bind.host", "127.0.0.1",
                "node.name", "dashboards"))));
        node.start().await(30, TimeUnit.SECONDS);
        try {
            // Cascade's own series are there before any traffic: dashboards never go blank
            Map<String, Set<String>> cascadeOnly = new LinkedHashMap<>();
            byPlace.forEach((place, names) -> cascadeOnly.put(place,
                    names.stream().filter(n -> n.startsWith("cascade_")).collect(java.util.stream.Collectors.toSet())));
            Map<String, Set<String>> absentAtStart = missing(cascadeOnly, PromText.scrape(http).names);
            assertTrue(absentAtStart.isEmpty(), "at startup, " + describe(absentAtStart));

            // Vert.x and the JVM create some meters on first use: a publish, a play and a GC bring them all
            try (ExternalProcess pub = ExternalProcess.start("publish-dash", ffmpegPublish(rtmpUrl(rtmp, "dash"), 30))) {
                ExternalProcess play = ExternalProcess.run("play-dash", 30, ffmpegDecode(rtmpUrl(rtmp, "dash"), 2));
                assertEquals(0, play.exitCode(), play.describe());
            }
            System.gc(); // GC pause timers appear with the first GC notification
            Await.until(Duration.ofSeconds(10), () -> missing(byPlace, PromText.scrape(http).names), Map::isEmpty,
                    GrafanaDashboardIT::describe);
        } finally {
            node.stop();
        }
    }

    @Test
    void dashboardsAreProvisionableAndKeepTheirUid() throws Exception {
        Set<String> uids = new HashSet<>();
        boolean overview = false;
        for (Map.Entry<Path, JsonObject> d : dashboards().entrySet()) {
            JsonObject dash = d.getValue();
            String uid = dash.getString("uid");
            assertTrue(uid != null && !uid.isBlank() && uid.length() <= 40, d.getKey() + ": a fixed uid");
            assertTrue(uids.add(uid), d.getKey() + ": uid " + uid + " used twice");
            overview |= OVERVIEW_UID.equals(uid);
            assertTrue(dash.getString("title") != null, d.getKey() + ": a title");
            Set<Integer> ids = new HashSet<>();
            for (JsonObject p : panels(dash)) {
                assertTrue(ids.add(p.getInteger("id")), d.getKey() + ": panel id " + p.getInteger("id") + " twice");
                assertTrue(p.getJsonObject("gridPos") != null, d.getKey() + ": " + p.getString("title") + " gridPos");
                JsonArray targets = p.getJsonArray("targets", new JsonArray());
                for (int i = 0; i < targets.size(); i++) {
                    JsonObject t = targets.getJsonObject(i);
                    assertFalse(t.getString("expr", "").isBlank(), d.getKey() + ": " + p.getString("title"));
                    // the datasource is chosen by the dashboard's variable, so an import works on any Grafana
                    assertEquals("${datasource}", t.getJsonObject("datasource").getString("uid"),
                            d.getKey() + ": " + p.getString("title"));
                    assertTrue(!t.getString("expr").contains("rate(") || t.getString("expr").contains("$__rate_interval"),
                            d.getKey() + ": rates over $__rate_interval: " + t.getString("expr"));
                }
            }
        }
        assertTrue(overview, "the cluster overview has uid " + OVERVIEW_UID);

        Path provisioning = repoRoot().resolve("grafana").resolve("provisioning");
        String datasources = Files.readString(provisioning.resolve("datasources").resolve("prometheus.yml"));
        assertTrue(datasources.contains("type: prometheus"), datasources);
        String providers = Files.readString(provisioning.resolve("dashboards").resolve("cascade.yml"));
        assertTrue(providers.contains("type: file") && providers.contains("path: "), providers);
    }

    /**
     * The overview has a row for the streaming protocols of the HTTP port (HTTP-FLV, WebSocket fMP4 and metadata;
     * HLS and DASH have their own): its viewers and traffic panels select every one of them.
     */
    @Test
    void theWebSocketAndFlvRowSelectsEveryStreamingProtocolOfTheHttpPort() throws Exception {
        JsonObject overview = dashboards().values().stream().filter(d -> OVERVIEW_UID.equals(d.getString("uid")))
                .findFirst().orElseThrow();
        List<String> exprs = new ArrayList<>();
        boolean inRow = false;
        JsonArray top = overview.getJsonArray("panels");
        for (int i = 0; i < top.size(); i++) {
            JsonObject p = top.getJsonObject(i);
            if ("row".equals(p.getString("type"))) {
                inRow = p.getString("title").startsWith("WebSocket and HTTP-FLV");
            } else if (inRow) {
                JsonArray targets = p.getJsonArray("targets", new JsonArray());
                for (int t = 0; t < targets.size(); t++) {
                    exprs.add(targets.getJsonObject(t).getString("expr"));
                }
            }
        }
        assertFalse(exprs.isEmpty(), "the overview has a WebSocket and HTTP-FLV row");
        Pattern matcher = Pattern.compile("protocol=~\"([^\"]*)\"");
        List<String> protocols = new HttpListener().protocols().stream()
                .filter(p -> !p.equals(HttpDelivery.PROTOCOL)).toList();
        assertTrue(protocols.containsAll(List.of("flv", "ws", "ws-meta")), protocols.toString());
        for (String metric : List.of("cascade_viewers", "cascade_egress_bytes_total")) {
            for (String protocol : protocols) {
                assertTrue(exprs.stream().filter(e -> e.contains(metric + "{")).anyMatch(e -> {
                    Matcher m = matcher.matcher(e);
                    return m.find() && protocol.matches(m.group(1));
                }), metric + " of " + protocol + " in the row: " + exprs);
            }
        }
    }

    @Test
    void theCheckCatchesNamesThatAreNotExported() {
        assertEquals(Set.of("cascade_ingest_bytes_total"), metricNames(
                "sum by (instance) (rate(cascade_ingest_bytes_total{instance=~\"$instance\",protocol=\"rtmp\"}"
                        + "[$__rate_interval])) * 8"));
        assertEquals(Set.of("jvm_gc_pause_seconds_bucket"), metricNames(
                "histogram_quantile(0.99, sum by (le, instance) (rate(jvm_gc_pause_seconds_bucket[5m])))"));
        assertEquals(Set.of("a_total", "b_bytes"), metricNames(
                "sum without (reason) (a_total offset 1h) / on (instance) group_left (node) b_bytes > bool 1e3"));
        assertEquals(Set.of("up_things"), metricNames(
                "label_replace(up_things, \"dst\", \"$1\", \"src\", \"(sum|rate)\") and ignoring (x) up_things"));
        assertEquals(Set.of("cascade_node_info"), variableMetricNames("label_values(cascade_node_info, instance)"));
        assertEquals(Set.of(), variableMetricNames("label_values(instance)"));
        assertThrows(IllegalArgumentException.class, () -> metricNames("rates(cascade_ingest_bytes_total[1m])"));

        Set<String> exported = Set.of("cascade_ingest_bytes_total", "cascade_viewers");
        Map<String, Set<String>> byPlace = Map.of(
                "good", metricNames("sum(cascade_viewers) + sum(rate(cascade_ingest_bytes_total[1m]))"),
                "bad", metricNames("sum(rate(cascade_ingest_byte_total[1m])) / sum(cascade_viewers)"));
        assertEquals(Map.of("bad", Set.of("cascade_ingest_byte_total")), missing(byPlace, exported));
    }
}
