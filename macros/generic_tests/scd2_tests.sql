{#- SCD2 integrity: every key has exactly one current version (two current versions fail). -#}
{% test scd2_one_current_version(model, key, valid_to='meta_effective_to_timestamp') %}
select
    {{ key }} as scd2_key,
    count(*) as current_versions
from {{ model }}
where {{ valid_to }} = {{ scd2_open_end() }}
group by {{ key }}
having count(*) > 1
{% endtest %}

{#- SCD2 integrity: a key whose versions are all closed was deleted at the source (no current
    version). Usually a warning: the row vanishes from staging, and this test names it. -#}
{% test scd2_no_deleted_keys(model, key, valid_to='meta_effective_to_timestamp') %}
select
    {{ key }} as scd2_key,
    count(*) as versions,
    max({{ valid_to }}) as last_valid_to
from {{ model }}
group by {{ key }}
having sum(case when {{ valid_to }} = {{ scd2_open_end() }} then 1 else 0 end) = 0
{% endtest %}

{#- SCD2 integrity: the validity windows of one key never overlap and are never empty. NULL is
    not a pass: a version with a NULL validity start or end is neither current nor closed, so it
    would leave staging unseen; it is returned. -#}
{% test scd2_no_overlapping_windows(
    model, key,
    valid_from='meta_effective_from_timestamp',
    valid_to='meta_effective_to_timestamp'
) %}
with versions as (
    select
        {{ key }} as scd2_key,
        {{ valid_from }} as valid_from,
        {{ valid_to }} as valid_to,
        lag({{ valid_to }}) over (
            partition by {{ key }} order by {{ valid_from }}, {{ valid_to }}
        ) as previous_valid_to
    from {{ model }}
)

select * from versions
where valid_from is null
    or valid_to is null
    or valid_from >= valid_to
    or valid_from < previous_valid_to
{% endtest %}
