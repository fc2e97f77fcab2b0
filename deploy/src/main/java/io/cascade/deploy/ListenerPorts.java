package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.settings.Setting;
import io.cascade.settings.SettingsException;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The ports a node is about to listen on, checked before it starts anything: a port another node or program holds
 * stops the node with one line naming the setting, instead of a bare BindException after it joined the cluster (or,
 * for the cluster port, a Hazelcast stack trace).
 *
 * <p>A check cannot reserve a port: something may take it between the check and the listen. That race is rare; the
 * check is for the common case of a second node started on the same ports.
 */
final class ListenerPorts {
    /** A port this node needs, the setting that names it, and the address it will be bound on. */
    record Port(Setting<Integer> setting, String host, int port) {
        String describe() {
            return setting.key() + " " + port;
        }
    }

    private ListenerPorts() {
    }

    /** The ports this node's roles open ({@link Listener#ALL} and the cluster port), ports set to 0 (disabled) left out. */
    static List<Port> of(NodeConfig c, Set<Role> roles) {
        List<Port> all = new ArrayList<>();
        for (Listener l : Listener.ALL) {
            if (l.wanted(roles)) {
                all.add(new Port(l.portSetting(), l.host(c), c.value(l.portSetting())));
            }
        }
        String clusterHost = ClusterSetup.host(c);
        // Hazelcast binds every interface when it is not told which one to use
        all.add(new Port(ClusterSetup.PORT, clusterHost.isEmpty() ? "0.0.0.0" : clusterHost, c.value(ClusterSetup.PORT)));
        return all.stream().filter(l -> l.port() != 0).toList();
    }

    /**
     * Throws a {@link SettingsException} with one line when two listeners share a port or a port is taken: the first
     * taken one is named, the others follow on the same line.
     */
    static void checkFree(NodeConfig c, Set<Role> roles) {
        List<Port> listeners = of(c, roles);
        for (int i = 0; i < listeners.size(); i++) {
            for (int j = i + 1; j < listeners.size(); j++) {
                Port a = listeners.get(i);
                Port b = listeners.get(j);
                if (a.port() == b.port() && overlap(a.host(), b.host())) {
                    throw new SettingsException(List.of(a.setting().key() + " and " + b.setting().key()
                            + " are both " + a.port() + ": each listener needs a port of its own"));
                }
            }
        }
        List<String> taken = listeners.stream().filter(l -> !canBind(l)).map(Port::describe).toList();
        if (!taken.isEmpty()) {
            String line = taken.get(0) + " is in use (another node or program listens there)";
            if (taken.size() > 1) {
                line += "; so are " + String.join(", ", taken.subList(1, taken.size()));
            }
            throw new SettingsException(List.of(line));
        }
    }

    private static boolean overlap(String hostA, String hostB) {
        return hostA.equals(hostB) || wildcard(hostA) || wildcard(hostB);
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    /** Binds and releases the port the way the listeners will: with SO_REUSEADDR, so TIME_WAIT is no obstacle. */
    private static boolean canBind(Port l) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(l.host(), l.port()));
            return true;
        } catch (IOException e) {
            // an address this machine does not have fails too: not "in use", and the listener reports it better
            boolean inUse = e instanceof BindException && e.getMessage() != null && e.getMessage().contains("in use");
            return !inUse;
        }
    }
}
