package dev.hwc.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphValidatorTest {
  private static Graph.Editor base() {
    Graph.Editor e = Graph.Editor.empty("g", 17);
    e.inputs().add(new Value("x", DType.FLOAT, Shape.of(1, 4)));
    return e;
  }

  private static Node relu(String name, String in, String out) {
    return new Node(name, "Relu", List.of(in), List.of(out), Attributes.EMPTY);
  }

  @Test
  void validGraphHasNoProblems() {
    Graph.Editor e = base().addNode(relu("a", "x", "y"));
    e.outputs().add(new Value("y", DType.FLOAT, Shape.UNKNOWN));
    assertEquals(List.of(), GraphValidator.validate(e.build()));
  }

  @Test
  void danglingDuplicateAndMissingOutputAreReported() {
    Graph.Editor e = base().addNode(relu("a", "nowhere", "y")).addNode(relu("b", "x", "y"));
    e.outputs().add(new Value("z", DType.FLOAT, Shape.UNKNOWN));
    List<String> p = GraphValidator.validate(e.build());
    assertTrue(p.stream().anyMatch(s -> s.contains("undefined value 'nowhere'")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.contains("'y' is defined twice")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.contains("'z' is never produced")), p.toString());
  }

  @Test
  void cyclesAreRejected() {
    Graph.Editor e = base()
        .addNode(new Node("a", "Add", List.of("x", "c"), List.of("b"), Attributes.EMPTY))
        .addNode(relu("r", "b", "c"));
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e::build);
    assertTrue(ex.getMessage().contains("cycle"), ex.getMessage());
  }

  @Test
  void arityAttributeKindsAndTypesAreChecked() {
    Graph.Editor e = base()
        .addNode(new Node("t", "Transpose", List.of("x"), List.of("y"), Attributes.of("perm", 3L)))
        .addNode(new Node("s", "Sub", List.of("x"), List.of("z"), Attributes.EMPTY));
    List<String> p = GraphValidator.validate(e.build());
    assertTrue(p.stream().anyMatch(s -> s.contains("attribute 'perm' is INT, expected INTS")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.contains("Sub 's' has 1 inputs, expected 2")), p.toString());

    Graph.Editor typed = base().addNode(relu("a", "x", "y"));
    typed.outputs().add(new Value("y", DType.INT64, Shape.UNKNOWN));
    BadInputException ex = assertThrows(BadInputException.class, () -> GraphValidator.check(typed.build()));
    assertTrue(ex.getMessage().contains("declared int64 but computes fp32"), ex.getMessage());
  }

  @Test
  void nodesAreSortedTopologicallyAndStably() {
    Graph g = base().addNode(relu("second", "y", "z")).addNode(relu("first", "x", "y")).build();
    assertEquals(List.of("first", "second"), g.nodes().stream().map(Node::name).toList());
  }
}
