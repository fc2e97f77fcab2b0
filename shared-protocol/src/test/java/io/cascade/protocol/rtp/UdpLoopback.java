package io.cascade.protocol.rtp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** UDP on 127.0.0.1 for the real-client RTP tests: ports, receiving from a sender process, sending to a player. */
final class UdpLoopback {
    private UdpLoopback() {
    }

    /** A socket bound to an even port with a large receive buffer. */
    static DatagramSocket bindEvenPort() throws SocketException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 2 * ThreadLocalRandom.current().nextInt(10_000, 16_000);
            try {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                s.setReceiveBufferSize(8 << 20);
                return s;
            } catch (SocketException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free UDP port");
    }

    /** An even port whose RTP and RTCP (port + 1) numbers are both free now. */
    static int freeEvenPort() throws SocketException {
        for (int attempt = 0; attempt < 200; attempt++) {
            try (DatagramSocket rtp = bindEvenPort()) {
                int port = rtp.getLocalPort();
                try (DatagramSocket rtcp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        port + 1))) {
                    return port;
                } catch (SocketException taken) {
                    // try another pair
                }
            }
        }
        throw new IllegalStateException("no free UDP port pair");
    }

    /** Datagrams as RTP packets until the sender has exited and nothing came for a second. */
    static List<RtpPacket> receive(DatagramSocket socket, Process sender) throws Exception {
        List<RtpPacket> out = new ArrayList<>();
        socket.setSoTimeout(1000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            byte[] buf = new byte[RtpPacket.MAX_PACKET_LENGTH];
            DatagramPacket d = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(d);
            } catch (SocketTimeoutException idle) {
                if (!sender.isAlive()) {
                    return out;
                }
                continue;
            }
            out.add(RtpPacket.parse(Arrays.copyOf(buf, d.getLength())));
        }
        sender.destroyForcibly();
        throw new AssertionError("the sender did not finish");
    }

    /** Sends datagrams to 127.0.0.1:port, pausing now and then to stay under the receiver's socket buffer. */
    static void send(List<byte[]> datagrams, int port) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            int sent = 0;
            for (byte[] d : datagrams) {
                socket.send(new DatagramPacket(d, d.length, to));
                if (++sent % 8 == 0) {
                    Thread.sleep(2);
                }
            }
        }
    }

    /** Waits until a player process has bound a UDP port (read from /proc/net/udp, without touching the port). */
    static void awaitListener(int port, Process player) throws Exception {
        Path table = Path.of("/proc/net/udp");
        String hexPort = String.format(":%04X ", port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            assertTrue(player.isAlive(), "the player exited before listening");
            if (!Files.exists(table)) {
                Thread.sleep(2000); // not Linux: give it time
                return;
            }
            for (String line : Files.readAllLines(table)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 1 && (f[1] + " ").toUpperCase(Locale.ROOT).endsWith(hexPort)) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing ever listened on " + port);
    }

    static boolean installed(String... versionCommand) {
        try {
            Process p = new ProcessBuilder(versionCommand).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
