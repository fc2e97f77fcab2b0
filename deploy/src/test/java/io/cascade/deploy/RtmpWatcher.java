package io.cascade.deploy;

import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.testing.TestRtmpClient;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An RTMP viewer on a thread of its own that notes when each media message and each status arrived, so a test can
 * tell when playback stopped and when it came back (failover, partitions).
 */
final class RtmpWatcher implements AutoCloseable {
    /** Arrivals kept: minutes of a 25 fps stream with audio, more than a test case lasts. */
    private static final int MAX_RECORDED = 20_000;
    /** How long one read blocks, so the thread notices it should stop. */
    private static final int READ_SLICE_MS = 200;
    private final TestRtmpClient client;
    private final String label;
    private final List<Long> media = new ArrayList<>();
    private final List<String> statusCodes = new ArrayList<>();
    private final List<Long> statusTimes = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile String failure;

    private RtmpWatcher(TestRtmpClient client, String label) {
        this.client = client;
        this.label = label;
        this.thread = new Thread(this::run, "watch-" + label);
        thread.setDaemon(true);
    }

    static RtmpWatcher play(int port, String stream, String label) throws IOException {
        return play("127.0.0.1", port, stream, label);
    }

    static RtmpWatcher play(String host, int port, String stream, String label) throws IOException {
        TestRtmpClient client = new TestRtmpClient(host, port, 10_000, 0);
        client.handshake(false);
        client.connect("live");
        int id = client.createStream();
        client.command(id, "play", null, stream, -2.0);
        client.setReadTimeout(READ_SLICE_MS);
        RtmpWatcher w = new RtmpWatcher(client, label);
        w.thread.start();
        return w;
    }

    private void run() {
        int seen = 0;
        try {
            while (!stopping) {
                RtmpMessage m = client.read();
                long now = System.nanoTime();
                synchronized (this) {
                    List<String> codes = client.statusCodes();
                    for (; seen < codes.size(); seen++) {
                        statusCodes.add(codes.get(seen));
                        statusTimes.add(now);
                    }
                    if (m != null && (m.typeId() == MessageType.AUDIO || m.typeId() == MessageType.VIDEO)
                            && media.size() < MAX_RECORDED) {
                        media.add(now);
                    }
                }
            }
        } catch (IOException e) {
            if (!stopping) {
                failure = e.toString();
            }
        }
    }

    void awaitMedia(int count, long timeoutMs, ExternalProcess publisher) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() - deadline < 0) {
            synchronized (this) {
                if (media.size() >= count) {
                    return;
                }
            }
            check(publisher);
            Thread.sleep(20);
        }
        fail(label + " got no media before the failure: " + publisher.describe());
    }

    /** When the first media message after {@code after} arrived; fails at the deadline. */
    long awaitMediaAfter(long after, long deadline, ExternalProcess publisher) throws Exception {
        while (true) {
            synchronized (this) {
                for (int i = media.size() - 1; i >= 0 && media.get(i) - after >= 0; i--) {
                    if (i == 0 || media.get(i - 1) - after < 0) {
                        return media.get(i);
                    }
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                fail(label + " got no media in time; statuses " + statuses() + "; " + publisher.describe());
            }
            check(publisher);
            Thread.sleep(10);
        }
    }

    synchronized boolean sawStatusAfter(String code, long after) {
        for (int i = 0; i < statusCodes.size(); i++) {
            if (statusCodes.get(i).equals(code) && statusTimes.get(i) - after >= 0) {
                return true;
            }
        }
        return false;
    }

    synchronized List<String> statuses() {
        return List.copyOf(statusCodes);
    }

    private void check(ExternalProcess publisher) {
        if (failure != null) {
            fail(label + " lost its connection: " + failure + "; " + publisher.describe());
        }
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        thread.join(2_000);
        client.close();
    }
}
