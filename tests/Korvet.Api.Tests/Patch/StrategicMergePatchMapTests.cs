using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Patch;
using static Korvet.Api.Tests.Patch.TestSchema;

namespace Korvet.Api.Tests.Patch;

public sealed class StrategicMergePatchMapTests
{
    private readonly StrategicMergePatch _smp = new(TestSchema.Schema);

    private JsonObject Apply(string original, string patch) => _smp.Apply(Obj(original), Obj(patch), Pod);

    [Fact]
    public void Merges_maps_and_null_deletes()
    {
        JsonObject result = Apply(
            "{'metadata':{'name':'p','labels':{'a':'1','b':'2'}},'spec':{'nodeName':'n'}}",
            "{'metadata':{'labels':{'a':null,'c':'3'}}}");
        AssertJson("{'metadata':{'name':'p','labels':{'b':'2','c':'3'}},'spec':{'nodeName':'n'}}", result);
    }

    [Fact]
    public void Null_for_a_missing_key_is_ignored_and_new_maps_drop_nulls()
    {
        // Like upstream, a new map is copied without its nulls, even if that leaves it empty.
        JsonObject result = Apply("{'spec':{}}", "{'metadata':{'labels':null},'spec':{'nodeSelector':{'x':null,'y':'1'}}}");
        AssertJson("{'metadata':{},'spec':{'nodeSelector':{'y':'1'}}}", result);
        AssertJson("{'spec':{}}", Apply("{'spec':{}}", "{'spec':{'nodeName':null}}"));
    }

    [Fact]
    public void Scalars_and_changed_types_are_replaced()
    {
        JsonObject result = Apply("{'spec':{'nodeName':'a','nodeSelector':'odd'}}", "{'spec':{'nodeName':'b','nodeSelector':{'k':'v'}}}");
        AssertJson("{'spec':{'nodeName':'b','nodeSelector':{'k':'v'}}}", result);
    }

    [Fact]
    public void Patch_replace_directive_replaces_a_map()
    {
        JsonObject result = Apply(
            "{'spec':{'nodeSelector':{'a':'1','b':'2'},'nodeName':'n'}}",
            "{'spec':{'nodeSelector':{'$patch':'replace','c':'3'}}}");
        AssertJson("{'spec':{'nodeSelector':{'c':'3'},'nodeName':'n'}}", result);
    }

    [Fact]
    public void Patch_delete_directive_empties_a_map()
    {
        AssertJson("{'spec':{'nodeSelector':{},'nodeName':'n'}}",
            Apply("{'spec':{'nodeSelector':{'a':'1'},'nodeName':'n'}}", "{'spec':{'nodeSelector':{'$patch':'delete'}}}"));
        AssertJson("{}", Apply("{'spec':{'nodeName':'n'}}", "{'$patch':'delete'}"));
    }

    [Fact]
    public void Patch_delete_directive_on_a_missing_map_adds_nothing()
    {
        AssertJson("{'spec':{}}", Apply("{'spec':{}}", "{'spec':{'nodeSelector':{'$patch':'delete'}}}"));
    }

    [Fact]
    public void Unknown_map_directive_is_an_internal_error()
    {
        var e = Assert.Throws<PatchException>(() => Apply("{'spec':{}}", "{'spec':{'$patch':'merge'}}"));
        Assert.Equal(PatchErrorKind.Internal, e.Kind);
        Assert.StartsWith("unknown patch type: \"merge\" in map:", e.Message);
    }

    [Fact]
    public void Replace_strategy_field_is_replaced_wholesale()
    {
        AssertJson("{'spec':{'affinity':{'b':'2'}}}", Apply("{'spec':{'affinity':{'a':'1'}}}", "{'spec':{'affinity':{'b':'2'}}}"));
    }

    [Fact]
    public void Retain_keys_on_a_map_field_clears_other_keys()
    {
        JsonObject result = Apply(
            "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'1'}}}}",
            "{'spec':{'strategy':{'type':'Recreate','$retainKeys':['type']}}}");
        AssertJson("{'spec':{'strategy':{'type':'Recreate'}}}", result);
    }

    [Fact]
    public void Retain_keys_allows_nulls_for_unlisted_keys()
    {
        JsonObject result = Apply(
            "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'1'}}}}",
            "{'spec':{'strategy':{'rollingUpdate':null,'$retainKeys':['type']}}}");
        AssertJson("{'spec':{'strategy':{'type':'RollingUpdate'}}}", result);
    }

    [Fact]
    public void Retain_keys_rejects_patched_keys_missing_from_the_list()
    {
        var e = Assert.Throws<PatchException>(() =>
            Apply("{'spec':{'strategy':{'type':'A'}}}", "{'spec':{'strategy':{'type':'B','rollingUpdate':{},'$retainKeys':['type']}}}"));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Equal("invalid patch format of retainKeys", e.Message);
        Assert.Equal(400, e.StatusCode);
    }

    [Fact]
    public void Retain_keys_must_be_a_list()
    {
        var e = Assert.Throws<PatchException>(() => Apply("{'spec':{'strategy':{}}}", "{'spec':{'strategy':{'$retainKeys':'type'}}}"));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
    }

    [Fact]
    public void Map_of_quantities_merges_by_key()
    {
        AssertJson("{'spec':{'overhead':{'cpu':'2','memory':'1Gi'}}}",
            Apply("{'spec':{'overhead':{'cpu':'1','memory':'1Gi'}}}", "{'spec':{'overhead':{'cpu':'2'}}}"));
    }

    [Fact]
    public void Objects_without_schema_follow_merge_patch_semantics_with_directives()
    {
        JsonObject original = Obj("{'spec':{'list':[1,2],'map':{'a':1,'b':{'c':1}},'keep':true}}");
        JsonObject result = _smp.Apply(original, Obj("{'spec':{'list':[3],'map':{'a':null,'b':{'d':2}},'new':{'x':null,'y':{'$patch':'delete'}}}}"), null);
        AssertJson("{'spec':{'list':[3],'map':{'b':{'c':1,'d':2}},'keep':true,'new':{}}}", result);
    }

    [Fact]
    public void Order_directives_for_unknown_lists_are_dropped()
    {
        JsonObject result = _smp.Apply(Obj("{'items':[{'name':'a','v':1},{'name':'b'}]}"),
            Obj("{'$setElementOrder/items':[{'name':'b'},{'name':'a'}],'items':[{'name':'a','v':2}]}"), null);
        AssertJson("{'items':[{'name':'a','v':2}]}", result);
    }

    [Fact]
    public void Unknown_fields_of_known_messages_replace_lists()
    {
        AssertJson("{'spec':{'extra':[{'name':'b'}],'containers':[{'name':'a'}]}}",
            Apply("{'spec':{'extra':[{'name':'a'}],'containers':[{'name':'a'}]}}", "{'spec':{'extra':[{'name':'b'}]}}"));
    }

    [Fact]
    public void Dollar_keys_that_are_not_directives_are_data()
    {
        AssertJson("{'spec':{'x':{'$ref':'#/a'}}}", Apply("{'spec':{}}", "{'spec':{'x':{'$ref':'#/a'}}}"));
    }

    [Fact]
    public void Inputs_are_not_modified()
    {
        JsonObject original = Obj("{'spec':{'containers':[{'name':'a','image':'1'}],'nodeSelector':{'x':'1'}}}");
        JsonObject patch = Obj("{'spec':{'containers':[{'name':'a','image':'2'},{'name':'b'}],'nodeSelector':{'x':null}}}");
        string originalText = original.ToJsonString();
        string patchText = patch.ToJsonString();
        JsonObject result = _smp.Apply(original, patch, Pod);
        Assert.Equal(originalText, original.ToJsonString());
        Assert.Equal(patchText, patch.ToJsonString());
        AssertJson("{'spec':{'containers':[{'name':'a','image':'2'},{'name':'b'}],'nodeSelector':{}}}", result);
    }

    [Fact]
    public void Parses_patch_bytes_and_rejects_invalid_json()
    {
        JsonObject result = _smp.Apply(Obj("{'spec':{'nodeName':'a'}}"), Encoding.UTF8.GetBytes("{\"spec\":{\"nodeName\":\"b\"}}"), Pod);
        AssertJson("{'spec':{'nodeName':'b'}}", result);
        var bad = Assert.Throws<PatchException>(() => _smp.Apply(Obj("{}"), Encoding.UTF8.GetBytes("{\"spec\":"), Pod));
        Assert.Equal(PatchErrorKind.BadRequest, bad.Kind);
        var array = Assert.Throws<PatchException>(() => _smp.Apply(Obj("{}"), Encoding.UTF8.GetBytes("[]"), Pod));
        Assert.Equal(PatchErrorKind.BadRequest, array.Kind);
    }

    [Fact]
    public void Inline_fields_are_found_through_the_inlined_message()
    {
        JsonObject result = Apply(
            "{'spec':{'volumes':[{'name':'v','configMap':{'name':'cm','items':[{'key':'a','path':'a'}]}}]}}",
            "{'spec':{'volumes':[{'name':'v','configMap':{'items':[{'key':'b','path':'b'}]}}]}}");
        AssertJson("{'spec':{'volumes':[{'name':'v','configMap':{'name':'cm','items':[{'key':'b','path':'b'}]}}]}}", result);
    }
}
