package io.cascade.deploy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Every line Cascade logs, at DEBUG and up, from {@link #start} to {@link #stop}: for tests that prove no token,
 * secret or password reaches the log at any level. The console is spared the DEBUG lines meanwhile.
 */
final class CapturedLogs {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger cascade = (Logger) LoggerFactory.getLogger("io.cascade");
    private Level before;

    void start() {
        before = cascade.getLevel();
        cascade.setLevel(Level.DEBUG);
        cascade.setAdditive(false);
        appender.start();
        cascade.addAppender(appender);
    }

    /** The lines so far, with the message of any exception logged with them. */
    List<String> lines() {
        synchronized (appender) {
            return appender.list.stream().map(e -> e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage())).toList();
        }
    }

    void stop() {
        cascade.detachAppender(appender);
        cascade.setLevel(before);
        cascade.setAdditive(true);
    }
}
