package dev.parvis.wmi.cim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectPathTest {
    @Test
    void formatsAndParsesBackWithEscapes() {
        ObjectPath p = new ObjectPath("Msvm_Thing", Map.of("Name", "a \"quoted\" \\ name", "CreationClassName", "Msvm_Thing"));
        assertEquals("Msvm_Thing.CreationClassName=\"Msvm_Thing\",Name=\"a \\\"quoted\\\" \\\\ name\"", p.toString());
        assertEquals(p, ObjectPath.parse(p.toString()));
        assertEquals("a \"quoted\" \\ name", ObjectPath.parse(p.toString()).key("name"));
    }

    @Test
    void acceptsNamespacesBracesAndAnyCase() {
        ObjectPath p = ObjectPath.parse("\\\\HOST\\root\\virtualization\\v2:Msvm_ComputerSystem.Name=\"X\"");
        assertEquals(ObjectPath.of("msvm_computersystem", "NAME", "X"), p);
        assertEquals(p.hashCode(), ObjectPath.of("msvm_computersystem", "NAME", "X").hashCode());
        assertEquals(p, ObjectPath.parse("{Msvm_ComputerSystem.Name=\"X\"}"));
        assertEquals(ObjectPath.of("A", "Key", "1"), ObjectPath.parse("A.Key=1"));
    }

    @Test
    void refusesMalformedPaths() {
        for (String bad : new String[] {"", "  ", "1abc", "A.=\"x\"", "A.Name=\"x", "A.Name=\"x\"junk", "A.Name=\"1\",Name=\"2\"",
                "A.Name", "A-B.Name=\"x\"", "A." + "k".repeat(5000)}) {
            assertThrows(InvalidParameterException.class, () -> ObjectPath.parse(bad), bad);
        }
    }
}
