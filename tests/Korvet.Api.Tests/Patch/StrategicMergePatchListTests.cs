using System.Text.Json.Nodes;
using Korvet.Api.Patch;
using static Korvet.Api.Tests.Patch.TestSchema;

namespace Korvet.Api.Tests.Patch;

public sealed class StrategicMergePatchListTests
{
    private readonly StrategicMergePatch _smp = new(TestSchema.Schema);

    private JsonObject Apply(string original, string patch) => _smp.Apply(Obj(original), Obj(patch), Pod);

    private static string Spec(string containers) => "{'spec':{'containers':" + containers + "}}";

    [Fact]
    public void Merge_key_values_compare_by_json_value()
    {
        JsonObject result = Apply(
            Spec("[{'name':'a','ports':[{'containerPort':80},{'containerPort':8080}]}]"),
            Spec("[{'name':'a','ports':[{'containerPort':8080,'name':'alt'},{'containerPort':'80','name':'text'}]}]"));
        // "80" (a string) is not the number 80: it is a new item; 80 stays ahead of 8080 as in the original.
        AssertJson(Spec("[{'name':'a','ports':[{'containerPort':80},{'containerPort':8080,'name':'alt'},{'containerPort':'80','name':'text'}]}]"), result);
    }

    [Fact]
    public void Merges_list_items_by_merge_key()
    {
        AssertJson(Spec("[{'name':'a','image':'1'},{'name':'b','image':'2','args':['x']}]"),
            Apply(Spec("[{'name':'a','image':'1'},{'name':'b','image':'1','args':['x']}]"), Spec("[{'name':'b','image':'2'}]")));
    }

    [Fact]
    public void New_items_without_order_directive_go_first_like_upstream()
    {
        AssertJson(Spec("[{'name':'c'},{'name':'a'},{'name':'b'}]"),
            Apply(Spec("[{'name':'a'},{'name':'b'}]"), Spec("[{'name':'c'}]")));
    }

    [Fact]
    public void Patch_items_keep_patch_order_interleaved_with_server_items()
    {
        // Patch items d (new) and b (known) in patch order; a server item goes first only when it sits before the
        // patch item in the original list, so the new d leads (upstream's mergeSortedSlice).
        AssertJson(Spec("[{'name':'d'},{'name':'a'},{'name':'b','image':'2'},{'name':'c'}]"),
            Apply(Spec("[{'name':'a'},{'name':'b'},{'name':'c'}]"), Spec("[{'name':'d'},{'name':'b','image':'2'}]")));
    }

    [Fact]
    public void Delete_directive_removes_items_by_key()
    {
        AssertJson(Spec("[{'name':'a'},{'name':'c'}]"),
            Apply(Spec("[{'name':'a'},{'name':'b'},{'name':'c'}]"), Spec("[{'name':'b','$patch':'delete'}]")));
        AssertJson(Spec("[{'name':'a'}]"),
            Apply(Spec("[{'name':'a'}]"), Spec("[{'name':'zz','$patch':'delete'}]")));
    }

    [Fact]
    public void Delete_and_add_in_one_patch()
    {
        AssertJson(Spec("[{'name':'c'},{'name':'a'}]"),
            Apply(Spec("[{'name':'a'},{'name':'b'}]"), Spec("[{'name':'b','$patch':'delete'},{'name':'c'}]")));
    }

    [Fact]
    public void Replace_directive_replaces_the_list()
    {
        AssertJson(Spec("[{'name':'z','image':'i'}]"),
            Apply(Spec("[{'name':'a'},{'name':'b'}]"), Spec("[{'$patch':'replace'},{'name':'z','image':'i','args':null}]")));
    }

    [Fact]
    public void Merge_directive_in_a_list_is_rejected()
    {
        var e = Assert.Throws<PatchException>(() => Apply(Spec("[{'name':'a'}]"), Spec("[{'$patch':'merge'}]")));
        Assert.Equal("merging lists cannot yet be specified in the patch", e.Message);
        Assert.Equal(500, e.StatusCode);
    }

    [Fact]
    public void Unknown_list_directive_is_rejected()
    {
        var e = Assert.Throws<PatchException>(() => Apply(Spec("[{'name':'a'}]"), Spec("[{'$patch':'nope','name':'a'}]")));
        Assert.StartsWith("unknown patch type: \"nope\"", e.Message);
    }

    [Fact]
    public void Missing_merge_key_is_an_error()
    {
        var e = Assert.Throws<PatchException>(() => Apply(Spec("[{'name':'a'}]"), Spec("[{'image':'x'}]")));
        Assert.Equal(PatchErrorKind.Internal, e.Kind);
        Assert.EndsWith("does not contain declared merge key: name", e.Message);
        var d = Assert.Throws<PatchException>(() => Apply(Spec("[{'name':'a'}]"), Spec("[{'$patch':'delete'}]")));
        Assert.EndsWith("does not contain declared merge key: name", d.Message);
    }

    [Fact]
    public void Nested_lists_merge_by_their_own_keys_including_numbers()
    {
        JsonObject result = Apply(
            Spec("[{'name':'a','ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443}],'env':[{'name':'A','value':'1'}]}]"),
            Spec("[{'name':'a','ports':[{'containerPort':80,'protocol':'UDP'}],'env':[{'name':'A','value':null},{'name':'B','value':'2'}]}]"));
        AssertJson(Spec("[{'name':'a','ports':[{'containerPort':80,'protocol':'UDP'},{'containerPort':443}],'env':[{'name':'A'},{'name':'B','value':'2'}]}]"), result);
    }

    [Fact]
    public void Lists_without_merge_strategy_are_replaced()
    {
        AssertJson(Spec("[{'name':'a','args':['z']}]"), Apply(Spec("[{'name':'a','args':['x','y']}]"), Spec("[{'name':'a','args':['z']}]")));
        AssertJson("{'spec':{'tolerations':[{'key':'b'}]}}", Apply("{'spec':{'tolerations':[{'key':'a'}]}}", "{'spec':{'tolerations':[{'key':'b'}]}}"));
    }

    [Fact]
    public void Primitive_merge_lists_are_unions_in_upstream_order()
    {
        AssertJson("{'metadata':{'finalizers':['c','a','b']}}",
            Apply("{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'finalizers':['c','a']}}"));
        AssertJson("{'metadata':{'finalizers':['a','b']}}",
            Apply("{'metadata':{'finalizers':['a','b','a']}}", "{'metadata':{'finalizers':['b']}}"));
    }

    [Fact]
    public void Delete_from_primitive_list()
    {
        AssertJson("{'metadata':{'finalizers':['a','c']}}",
            Apply("{'metadata':{'finalizers':['a','b','c','b']}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b','zz']}}"));
        AssertJson("{'metadata':{'name':'x'}}",
            Apply("{'metadata':{'name':'x'}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}"));
        AssertJson(Spec("[{'name':'a','args':['x']}]"),
            Apply(Spec("[{'name':'a','args':['x','y']}]"), Spec("[{'name':'a','$deleteFromPrimitiveList/args':['y']}]")));
    }

    [Fact]
    public void Delete_from_primitive_list_combines_with_additions()
    {
        AssertJson("{'metadata':{'finalizers':['c','a']}}",
            Apply("{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b'],'finalizers':['c']}}"));
    }

    [Fact]
    public void Bad_delete_from_primitive_list_key_is_bad_request()
    {
        var e = Assert.Throws<PatchException>(() => Apply("{'metadata':{'finalizers':['a']}}", "{'metadata':{'$deleteFromPrimitiveListfinalizers':['a']}}"));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Equal("invalid patch format of primitive list", e.Message);
    }

    [Fact]
    public void Set_element_order_places_new_items()
    {
        JsonObject result = Apply(
            Spec("[{'name':'a','other':'x'},{'name':'b','image':'2'}]"),
            "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'},{'name':'b'}],'containers':[{'name':'c','image':'3'}]}}");
        AssertJson(Spec("[{'name':'c','image':'3'},{'name':'a','other':'x'},{'name':'b','image':'2'}]"), result);
    }

    [Fact]
    public void Set_element_order_keeps_server_only_items_in_their_slots()
    {
        JsonObject result = Apply(
            Spec("[{'name':'1','other':'a'},{'name':'2'},{'name':'9'},{'name':'3'},{'name':'4'}]"),
            "{'spec':{'$setElementOrder/containers':[{'name':'2'},{'name':'1'},{'name':'4'},{'name':'3'}]}}");
        AssertJson(Spec("[{'name':'2'},{'name':'1','other':'a'},{'name':'9'},{'name':'4'},{'name':'3'}]"), result);
    }

    [Fact]
    public void Set_element_order_ignores_items_that_do_not_exist()
    {
        JsonObject result = Apply(
            Spec("[{'name':'1'},{'name':'3'}]"),
            "{'spec':{'$setElementOrder/containers':[{'name':'3'},{'name':'2'},{'name':'1'}],'containers':[{'name':'3','image':'x'},{'name':'1','image':'y'}]}}");
        AssertJson(Spec("[{'name':'3','image':'x'},{'name':'1','image':'y'}]"), result);
    }

    [Fact]
    public void Set_element_order_for_primitive_lists()
    {
        AssertJson("{'metadata':{'finalizers':['3','1']}}",
            Apply("{'metadata':{'finalizers':['1','3']}}", "{'metadata':{'$setElementOrder/finalizers':['3','2','1']}}"));
        AssertJson("{'metadata':{'finalizers':['1','2','4']}}",
            Apply("{'metadata':{'finalizers':['1','2','3','4']}}", "{'metadata':{'$setElementOrder/finalizers':['1','2'],'$deleteFromPrimitiveList/finalizers':['3']}}"));
    }

    [Fact]
    public void Set_element_order_with_delete_and_add_places_server_items_like_upstream()
    {
        // Upstream deletes and appends in place in the original slice, and its ordering step sees that aliased
        // view ([b, d, c]); server-only d therefore lands between b and the new c.
        JsonObject result = Apply(
            Spec("[{'name':'a'},{'name':'b','other':'x'},{'name':'d','other':'y'}]"),
            "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'c'}],'containers':[{'name':'c'},{'name':'a','$patch':'delete'}]}}");
        AssertJson(Spec("[{'name':'b','other':'x'},{'name':'d','other':'y'},{'name':'c'}]"), result);
    }

    [Fact]
    public void Set_element_order_must_agree_with_the_patch_list()
    {
        var e = Assert.Throws<PatchException>(() => Apply(
            Spec("[{'name':'1'},{'name':'3'},{'name':'2'}]"),
            "{'spec':{'$setElementOrder/containers':[{'name':'1'},{'name':'2'},{'name':'3'}],'containers':[{'name':'3'},{'name':'1'}]}}"));
        Assert.Contains("doesn't match $setElementOrder list", e.Message, StringComparison.Ordinal);
        Assert.Equal(PatchErrorKind.Internal, e.Kind);
    }

    [Fact]
    public void Set_element_order_on_a_new_list_uses_the_patch_items()
    {
        AssertJson("{'spec':{'initContainers':[{'name':'y','image':'i'},{'name':'x'}]}}",
            Apply("{'spec':{}}", "{'spec':{'$setElementOrder/initContainers':[{'name':'y'},{'name':'x'}],'initContainers':[{'name':'y','image':'i'},{'name':'x'}]}}"));
    }

    [Fact]
    public void Set_element_order_with_bad_prefix_is_bad_request()
    {
        var e = Assert.Throws<PatchException>(() => Apply(Spec("[]"), "{'spec':{'$setElementOrderX':[]}}"));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Equal("invalid patch format of setElementOrder list", e.Message);
    }

    [Fact]
    public void Retain_keys_inside_list_items()
    {
        JsonObject result = Apply(
            "{'spec':{'volumes':[{'name':'v','hostPath':{'path':'/x'}},{'name':'w','emptyDir':{}}]}}",
            "{'spec':{'volumes':[{'name':'v','emptyDir':{'medium':'Memory'},'$retainKeys':['emptyDir','name']}]}}");
        AssertJson("{'spec':{'volumes':[{'name':'v','emptyDir':{'medium':'Memory'}},{'name':'w','emptyDir':{}}]}}", result);
    }

    [Fact]
    public void New_lists_drop_directive_items()
    {
        AssertJson("{'spec':{'initContainers':[{'name':'x'}]}}",
            Apply("{'spec':{}}", "{'spec':{'initContainers':[{'name':'x','args':null},{'name':'y','$patch':'delete'}]}}"));
    }

    [Fact]
    public void Repeated_patch_items_with_one_key_merge_together()
    {
        AssertJson(Spec("[{'name':'a','image':'2','args':['q']}]"),
            Apply(Spec("[{'name':'a','image':'1'}]"), Spec("[{'name':'a','image':'2'},{'name':'a','args':['q']}]")));
    }

    [Fact]
    public void Owner_references_and_conditions_merge_by_key()
    {
        AssertJson("{'metadata':{'ownerReferences':[{'uid':'1','name':'new'},{'uid':'2'}]},'status':{'conditions':[{'type':'Ready','status':'True'}]}}",
            Apply("{'metadata':{'ownerReferences':[{'uid':'1','name':'old'},{'uid':'2'}]},'status':{'conditions':[{'type':'Ready','status':'False'}]}}",
                "{'metadata':{'ownerReferences':[{'uid':'1','name':'new'}]},'status':{'conditions':[{'type':'Ready','status':'True'}]}}"));
    }

    [Fact]
    public void Lists_of_lists_are_invalid()
    {
        var e = Assert.Throws<PatchException>(() => Apply("{'metadata':{'finalizers':[['a']]}}", "{'metadata':{'finalizers':[['b']]}}"));
        Assert.Equal(PatchErrorKind.Invalid, e.Kind);
        Assert.Equal("lists of lists are not supported", e.Message);
        Assert.Equal(422, e.StatusCode);
    }

    [Fact]
    public void Null_elements_in_keyed_lists_are_rejected_not_crashing()
    {
        var e = Assert.Throws<PatchException>(() => Apply(Spec("[{'name':'a'}]"), Spec("[null,{'name':'b'}]")));
        Assert.Equal(PatchErrorKind.Internal, e.Kind);
        var o = Assert.Throws<PatchException>(() => Apply(Spec("[null,{'name':'a'}]"), Spec("[{'name':'b'}]")));
        Assert.Equal(PatchErrorKind.Internal, o.Kind);
    }

    [Fact]
    public void Mixed_element_types_are_rejected()
    {
        var e = Assert.Throws<PatchException>(() => Apply("{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':[1]}}"));
        Assert.StartsWith("list element types are not identical", e.Message);
    }

    [Fact]
    public void Empty_lists_stay_empty_or_take_the_patch()
    {
        AssertJson(Spec("[]"), Apply(Spec("[]"), Spec("[]")));
        AssertJson(Spec("[{'name':'a'}]"), Apply(Spec("[]"), Spec("[{'name':'a'}]")));
        AssertJson(Spec("[{'name':'a'}]"), Apply(Spec("[{'name':'a'}]"), Spec("[]")));
    }
}
