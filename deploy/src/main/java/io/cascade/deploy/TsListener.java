package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.ingest.ts.TsListenerSpec;
import io.cascade.ingest.ts.TsServer;
import io.cascade.media.StreamNames;
import io.cascade.settings.Setting;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MPEG-TS publishers on any number of UDP and TCP listeners (ingest nodes): one of each kind from {@code ts.udp.*}
 * and {@code ts.tcp.*}, and more from the list {@code ts.listeners}. One verticle per listener.
 */
final class TsListener implements Listener {
    static final Setting<Integer> UDP_PORT = Setting.port("ts.udp.port", 0,
            "MPEG-TS over UDP from publishers, one stream on the port; `0` disables");
    static final Setting<String> UDP_STREAM = streamName("ts.udp.stream",
            "the stream `ts.udp.port` feeds (empty: `ts-udp-<port>`)");
    static final Setting<String> UDP_GROUP = Setting.of("ts.udp.group", "", "empty or a multicast address",
            text -> text.isEmpty() ? text : TsListenerSpec.multicastGroup(text),
            "a multicast group `ts.udp.port` joins (empty: unicast)");
    static final Setting<Integer> TCP_PORT = Setting.port("ts.tcp.port", 0,
            "MPEG-TS over TCP from publishers, each connection a publisher; `0` disables");
    static final Setting<String> TCP_STREAM = streamName("ts.tcp.stream",
            "the stream a `ts.tcp.port` publisher feeds, one at a time (empty: `ts-tcp-<port>-<n>`, a stream per connection)");
    /** More listeners than this is a configuration generated wrong, not a deployment. */
    static final int MAX_LISTENERS = 256;
    static final Setting<List<TsListenerSpec>> LISTENERS = Setting.of("ts.listeners", "",
            "a comma-separated list of `udp://host:port?stream=&group=&interface=&source=` or `tcp://host:port?stream=`"
                    + " (in YAML: a list of `{protocol, host, port, stream, group, interface, source}`)",
            TsListener::parseList, "more MPEG-TS listeners");

    @Override
    public String name() {
        return "ts";
    }

    @Override
    public List<Endpoint> endpoints(NodeConfig config) {
        return specs(config).entrySet().stream().map(e -> new Endpoint(e.getKey(),
                e.getValue().transport() == TsListenerSpec.Transport.UDP ? Transport.UDP : Transport.TCP,
                e.getValue().bindHost(), e.getValue().port(), e.getValue().source())).toList();
    }

    @Override
    public List<String> protocols() {
        return List.of(TsServer.PROTOCOL);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(UDP_PORT, UDP_STREAM, UDP_GROUP, TCP_PORT, TCP_STREAM, LISTENERS, TsServer.IDLE_MS);
    }

    @Override
    public boolean wanted(Set<Role> roles) {
        return roles.contains(Role.INGEST);
    }

    @Override
    public Future<Bound> start(NodeServices node, Endpoint at) {
        TsListenerSpec spec = specs(node.config).get(at.setting());
        TsServer server = new TsServer(new TsServer.Settings(spec, node.admission, node.counters,
                node.config.value(TsServer.IDLE_MS)));
        return node.vertx.deployVerticle(server).map(id -> new Bound(at.host(), server.actualPort(), spec.describe()));
    }

    /** Every configured listener, by where it was configured; port 0 ones (disabled) left out. */
    static Map<String, TsListenerSpec> specs(NodeConfig config) {
        String host = config.value(NodeSettings.BIND_HOST);
        Map<String, TsListenerSpec> specs = new LinkedHashMap<>();
        if (config.value(UDP_PORT) != 0) {
            String group = config.value(UDP_GROUP);
            specs.put(UDP_PORT.key(), new TsListenerSpec(TsListenerSpec.Transport.UDP, host, config.value(UDP_PORT),
                    config.value(UDP_STREAM), group, "", ""));
        }
        if (config.value(TCP_PORT) != 0) {
            specs.put(TCP_PORT.key(), TsListenerSpec.of(TsListenerSpec.Transport.TCP, host, config.value(TCP_PORT),
                    config.value(TCP_STREAM)));
        }
        List<TsListenerSpec> more = config.value(LISTENERS);
        for (int i = 0; i < more.size(); i++) {
            TsListenerSpec s = more.get(i);
            if (s.port() != 0) {
                specs.put(LISTENERS.key() + "[" + i + "]", s.host().isEmpty() ? new TsListenerSpec(s.transport(), host,
                        s.port(), s.stream(), s.group(), s.iface(), s.source()) : s);
            }
        }
        return specs;
    }

    private static Setting<String> streamName(String key, String meaning) {
        return Setting.of(key, "", "empty or a stream name ([A-Za-z0-9._-], at most " + StreamNames.MAX_LENGTH + ")",
                text -> {
                    if (!text.isEmpty() && !StreamNames.isValid(text)) {
                        throw new IllegalArgumentException("not a stream name");
                    }
                    return text;
                }, meaning);
    }

    private static List<TsListenerSpec> parseList(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        String[] items = text.split(",");
        if (items.length > MAX_LISTENERS) {
            throw new IllegalArgumentException("more than " + MAX_LISTENERS + " listeners");
        }
        List<TsListenerSpec> specs = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            try {
                specs.add(TsListenerSpec.parse(items[i], ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("listener " + i + ": " + e.getMessage());
            }
        }
        return specs;
    }
}
