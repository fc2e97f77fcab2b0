package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.settings.Setting;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One listener of a node: the registration a protocol makes. Adding a protocol is writing one of these and adding
 * it to {@link #ALL}; its counters, its metric series (from startup, zeros included), its startup lines, its
 * readiness entries and the port check before startup follow from here.
 */
interface Listener {
    /** The listener's name in its startup line and in {@code /readyz}. */
    String name();

    /** The sockets it opens with these settings; none when its ports are 0 (disabled). */
    List<Endpoint> endpoints(NodeConfig config);

    /** The protocols whose counters it feeds, by their names in metrics, logs and the stream registry. */
    List<String> protocols();

    /** Its settings besides the ports listed in {@code NodeSettings}, declared by the code that reads them. */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * Whether its endpoints speak TLS with these settings: the node then needs {@code tls.cert} and {@code tls.key}
     * ({@link NodeTls}) before it starts, and the listener registers its servers for certificate reloads.
     */
    default boolean tls(NodeConfig config) {
        return false;
    }

    /**
     * Where a viewer plays a stream through this listener, per protocol: URLs with {@link #HOST} for the address
     * clients reach the node at (with this listener's port) and {@code NodeLoad.STREAM} for the stream's name. The
     * load balancer hands them out (pickEdge, redirects); a listener that serves no viewer has none.
     */
    default Map<String, String> playUrls() {
        return Map.of();
    }

    /** The same for publishers (pickIngest). */
    default Map<String, String> publishUrls() {
        return Map.of();
    }

    /** Where a URL template puts the node's public host and the listener's port. */
    String HOST = "{host}";

    /** Whether a node with these roles runs it. */
    boolean wanted(Set<Role> roles);

    /** Starts listening on one of its endpoints; answers where it listens and what it serves. */
    Future<Bound> start(NodeServices node, Endpoint at);

    enum Transport { TCP, UDP }

    /**
     * A socket a listener opens.
     *
     * @param setting where the operator set it, named in every message about it ("rtmp.port", "ts.listeners[2]")
     * @param source  for a source-specific multicast group, the one sender it takes ("" for any): listeners of one
     *                group and port with different sources share the port without clashing
     */
    record Endpoint(String setting, Transport transport, String host, int port, String source) {
        /** The one TCP port of a listener that has a port setting of its own; none when that port is 0. */
        static List<Endpoint> tcp(Setting<Integer> port, String host, NodeConfig config) {
            int p = config.value(port);
            return p == 0 ? List.of() : List.of(new Endpoint(port.key(), Transport.TCP, host, p, ""));
        }

        String describe() {
            return setting + " " + port + (transport == Transport.UDP ? "/udp" : "");
        }
    }

    /** A started endpoint: its address and the line that says what it serves. */
    record Bound(String host, int port, String detail) {
    }

    /** Every listener a node may run, in start order. */
    List<Listener> ALL = List.of(new RtmpListener(), new RtmpListener.Tls(), new RtmpListener.Tunnel(),
            new RtspListener(), new HttpListener(), new HttpListener.Tls(), new ApiListener(), new TsListener());
}
