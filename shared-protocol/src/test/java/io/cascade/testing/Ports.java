package io.cascade.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for test listeners. Taken below the kernel's ephemeral range (32768 and up on Linux): a port found free
 * there could be handed to some outgoing connection before the listener binds it, which made tests flaky.
 * A port is handed out once per JVM: two draws for one node (its RTMP and API ports) once came out equal, and the
 * node refused to start.
 */
public final class Ports {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    /** Every port handed out in this JVM; at most the range's 12,000. */
    private static final Set<Integer> given = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /** A loopback port nobody listens on now, outside the ephemeral range, and not handed out before in this JVM. */
    public static int free() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (given.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                if (given.add(port)) {
                    return port;
                }
            } catch (IOException busy) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port in " + LOW + ".." + HIGH);
    }
}
