package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.deploy.Listener.Endpoint;
import io.cascade.deploy.Listener.Transport;
import io.cascade.settings.SettingsException;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
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
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]");

    private ListenerPorts() {
    }

    /** The ports this node's roles open ({@link Listener#ALL} and the cluster port), ports set to 0 (disabled) left out. */
    static List<Endpoint> of(NodeConfig c, Set<Role> roles) {
        List<Endpoint> all = new ArrayList<>();
        for (Listener l : Listener.ALL) {
            if (l.wanted(roles)) {
                all.addAll(l.endpoints(c));
            }
        }
        String clusterHost = ClusterSetup.host(c);
        // Hazelcast binds every interface when it is not told which one to use
        Endpoint.tcp(ClusterSetup.PORT, clusterHost.isEmpty() ? "0.0.0.0" : clusterHost, c).forEach(all::add);
        return all;
    }

    /**
     * Throws a {@link SettingsException} with one line when two listeners share a port or a port is taken: the first
     * taken one is named, the others follow on the same line.
     */
    static void checkFree(NodeConfig c, Set<Role> roles) {
        List<Endpoint> listeners = of(c, roles);
        for (int i = 0; i < listeners.size(); i++) {
            for (int j = i + 1; j < listeners.size(); j++) {
                Endpoint a = listeners.get(i);
                Endpoint b = listeners.get(j);
                if (a.transport() == b.transport() && a.port() == b.port() && overlap(a.host(), b.host())
                        && (a.source().isEmpty() || b.source().isEmpty() || a.source().equals(b.source()))) {
                    throw new SettingsException(List.of(a.setting() + " and " + b.setting()
                            + " are both " + a.port() + ": each listener needs a port of its own"));
                }
            }
        }
        List<String> taken = listeners.stream().filter(l -> !canBind(l)).map(Endpoint::describe).toList();
        if (!taken.isEmpty()) {
            String line = taken.get(0) + " is in use (another node or program listens there)";
            if (taken.size() > 1) {
                line += "; so are " + String.join(", ", taken.subList(1, taken.size()));
            }
            throw new SettingsException(List.of(line));
        }
    }

    private static boolean overlap(String hostA, String hostB) {
        return hostA.equals(hostB) || WILDCARDS.contains(hostA) || WILDCARDS.contains(hostB);
    }

    /**
     * Binds and releases the port the way the listeners will: TCP with SO_REUSEADDR, so TIME_WAIT is no obstacle;
     * UDP without, as its listeners bind, so a socket another program holds is found.
     */
    private static boolean canBind(Endpoint l) {
        InetSocketAddress address = new InetSocketAddress(l.host(), l.port());
        try (Closeable probe = l.transport() == Transport.UDP ? new DatagramSocket(address) : tcpProbe(address)) {
            return true;
        } catch (IOException e) {
            // an address this machine does not have fails too: not "in use", and the listener reports it better
            boolean inUse = e instanceof BindException && e.getMessage() != null && e.getMessage().contains("in use");
            return !inUse;
        }
    }

    private static ServerSocket tcpProbe(InetSocketAddress address) throws IOException {
        ServerSocket probe = new ServerSocket();
        try {
            probe.setReuseAddress(true);
            probe.bind(address);
            return probe;
        } catch (IOException e) {
            probe.close();
            throw e;
        }
    }
}
