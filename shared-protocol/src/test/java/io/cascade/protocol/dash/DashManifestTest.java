package io.cascade.protocol.dash;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DashManifestTest {
    @Test
    void dynamicMpdWithRunLengthTimelines() {
        DashManifest.Presentation p = new DashManifest.Presentation(1_795_000_000_000L, 1_795_000_008_000L, "2",
                2000, 8000, 6000, 2000, 2000, "http://edge:8888/time");
        DashManifest.Representation video = new DashManifest.Representation("video", true, "avc1.64001e", 1_500_000,
                640, 360, 0, 0, 90_000, "v/init-2.mp4", "v/$Number$.m4s", 40, List.of(
                new DashManifest.TimelineEntry(0, 180_000), new DashManifest.TimelineEntry(180_000, 180_000),
                new DashManifest.TimelineEntry(360_000, 180_000), new DashManifest.TimelineEntry(600_000, 120_000)));
        DashManifest.Representation audio = new DashManifest.Representation("audio", false, "mp4a.40.2", 128_000,
                0, 0, 48_000, 2, 48_000, "a/init-2.mp4", "a/$Number$.m4s", 40, List.of(
                new DashManifest.TimelineEntry(0, 96_256)));
        String expected = """
                <?xml version="1.0" encoding="UTF-8"?>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="dynamic" availabilityStartTime="2026-11-18T11:06:40.000Z" publishTime="2026-11-18T11:06:48.000Z" minimumUpdatePeriod="PT2.000S" timeShiftBufferDepth="PT8.000S" suggestedPresentationDelay="PT6.000S" maxSegmentDuration="PT2.000S" minBufferTime="PT2.000S">
                  <Period id="2" start="PT0S">
                    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">
                      <Representation id="video" codecs="avc1.64001e" bandwidth="1500000" width="640" height="360">
                        <SegmentTemplate timescale="90000" initialization="v/init-2.mp4" media="v/$Number$.m4s" startNumber="40">
                          <SegmentTimeline>
                            <S t="0" d="180000" r="2"/>
                            <S t="600000" d="120000"/>
                          </SegmentTimeline>
                        </SegmentTemplate>
                      </Representation>
                    </AdaptationSet>
                    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1">
                      <Representation id="audio" codecs="mp4a.40.2" bandwidth="128000" audioSamplingRate="48000">
                        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
                        <SegmentTemplate timescale="48000" initialization="a/init-2.mp4" media="a/$Number$.m4s" startNumber="40">
                          <SegmentTimeline>
                            <S t="0" d="96256"/>
                          </SegmentTimeline>
                        </SegmentTemplate>
                      </Representation>
                    </AdaptationSet>
                  </Period>
                  <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="http://edge:8888/time"/>
                </MPD>
                """;
        assertEquals(expected, DashManifest.dynamic(p, List.of(video, audio)));
    }
}
