package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.ic.IcVersion;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.ic.IcVersions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ICS section: each integration service's negotiated versions, read back as written, and checked like every section. */
class SavedIcVersionsTest {
    private static final SavedStateFile.Expected EXPECTED = new SavedStateFile.Expected(8, 2);
    /** The interface type of SavedStateFileTest.withVmbus()'s one open channel. */
    private static final Guid OPEN = Guid.parse("3b1a4a2c-0000-4000-8000-0000000000e0");
    private static final IcVersions.Negotiated VERSIONS = new IcVersions.Negotiated(IcVersion.of(3, 0), IcVersion.of(3, 2));

    private static SavedState with(List<SavedIcVersions.Entry> ics) {
        SavedState s = SavedStateFileTest.withVmbus();
        return new SavedState(s.vmId(), s.name(), s.referenceTime(), s.vps(), s.rights(), s.memory(), s.vmbus(), s.synic(),
                s.diskChannels(), ics);
    }

    private static byte[] encoded(SavedState s) {
        ByteBuffer b = SavedStateFile.encode(s);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Offset of the ICS section's body in {@code file}: found by its header, type 8. */
    private static int icsBody(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int at = 16;
        while (b.getInt(at) != SavedStateFile.ICS) {
            at += 16 + (int) b.getLong(at + 8);
        }
        return at + 16;
    }

    private static String refusal(byte[] file) {
        return assertThrows(SavedStateException.class, () -> SavedStateFile.decode("ics", file, EXPECTED)).getMessage();
    }

    @Test
    void theNegotiatedVersionsReadBackAsWritten() {
        SavedState s = with(List.of(new SavedIcVersions.Entry(OPEN, VERSIONS)));
        SavedState back = SavedStateFile.decode("ics", encoded(s), EXPECTED);
        assertEquals(s.icVersions(), back.icVersions());
        assertEquals(Map.of(OPEN, VERSIONS), SavedIcVersions.toMap(back.icVersions()));
        assertEquals(List.of(), SavedStateFile.decode("none", encoded(SavedStateFileTest.withVmbus()), EXPECTED).icVersions());
    }

    @Test
    void onlyServicesWhoseChannelIsSavedOpenAreKept() {
        Guid closed = Guid.parse("3b1a4a2c-0000-4000-8000-0000000000e1");
        List<SavedIcVersions.Entry> kept = SavedIcVersions.ofOpenChannels(Map.of(OPEN, VERSIONS, closed, VERSIONS),
                SavedStateFileTest.withVmbus().vmbus());
        assertEquals(List.of(new SavedIcVersions.Entry(OPEN, VERSIONS)), kept);
    }

    @Test
    void aServiceWithoutAnOpenChannelIsRefused() {
        Guid other = Guid.parse("3b1a4a2c-0000-4000-8000-0000000000e1");
        String e = refusal(encoded(with(List.of(new SavedIcVersions.Entry(other, VERSIONS)))));
        assertTrue(e.contains("has no open channel in the VMBUS state"), e);
    }

    @Test
    void aCountBeyondTheSectionOrTheBoundAndATwiceNamedServiceAreRefused() {
        byte[] file = encoded(with(List.of(new SavedIcVersions.Entry(OPEN, VERSIONS))));
        int body = icsBody(file);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(body, SavedIcVersions.MAX_SERVICES + 1);
        assertTrue(refusal(file).contains("ICS section: 17 services in 28 bytes"), refusal(file));
        b.putInt(body, 0);
        assertTrue(refusal(file).contains("0 services in 28 bytes"), refusal(file));

        byte[] twice = encoded(with(List.of(new SavedIcVersions.Entry(OPEN, VERSIONS),
                new SavedIcVersions.Entry(Guid.parse("3b1a4a2c-0000-4000-8000-0000000000e1"), VERSIONS))));
        System.arraycopy(twice, icsBody(twice) + 4, twice, icsBody(twice) + 4 + SavedIcVersions.ENTRY_BYTES, 16);
        assertTrue(refusal(twice).contains("twice"), refusal(twice));
    }

    @Test
    void anIcsSectionInAVersion5FileIsRefused() {
        byte[] file = encoded(with(List.of(new SavedIcVersions.Entry(OPEN, VERSIONS))));
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 5);
        assertTrue(refusal(file).contains("ICS section in a version 5 file"), refusal(file));
    }
}
