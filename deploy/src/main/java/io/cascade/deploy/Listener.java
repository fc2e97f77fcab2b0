package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.settings.Setting;
import io.vertx.core.Future;

import java.util.List;
import java.util.Set;

/**
 * One listener of a node: the registration a protocol makes. Adding a protocol is writing one of these and adding
 * it to {@link #ALL}; its counters, its metric series (from startup, zeros included), its startup line and its
 * readiness entry follow from here.
 */
interface Listener {
    /** The listener's name in its startup line and in {@code /readyz}. */
    String name();

    /** The setting holding its port; 0 there disables the listener. */
    Setting<Integer> portSetting();

    /** The address it binds. */
    default String host(NodeConfig config) {
        return config.value(NodeSettings.BIND_HOST);
    }

    /** The protocols whose counters it feeds, by their names in metrics, logs and the stream registry. */
    List<String> protocols();

    /** Its settings besides the port, declared by the code that reads them. */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /** Whether a node with these roles runs it. */
    boolean wanted(Set<Role> roles);

    /** Starts listening on the port (0 never reaches here); answers where it listens and what it serves. */
    Future<Bound> start(NodeServices node, int port);

    /** A started listener: its address and the line that says what it serves. */
    record Bound(String host, int port, String detail) {
    }

    /** Every listener a node may run, in start order. */
    List<Listener> ALL = List.of(new RtmpListener(), new HttpListener(), new ApiListener());
}
