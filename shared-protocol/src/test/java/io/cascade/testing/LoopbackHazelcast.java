package io.cascade.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;

/** The configuration of a Hazelcast member for tests: loopback only, TCP-IP join on the given ports, no extras. */
public final class LoopbackHazelcast {
    private LoopbackHazelcast() {
    }

    public static Config member(String clusterName, int port, int... peers) {
        Config c = new Config().setClusterName(clusterName);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.getNetworkConfig().setPort(port).setPortAutoIncrement(false).getInterfaces().setEnabled(true)
                .addInterface("127.0.0.1");
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        for (int p : peers) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + p);
        }
        return c;
    }
}
