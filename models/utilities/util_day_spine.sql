-- one row per calendar day from the start of the data history to the end of the as-of year
with

bounds as (
    select
        cast('2020-01-01' as date) as first_day,
        cast({{ dbt.last_day(as_of_date(), 'year') }} as date) as last_day
),

days as (
    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('2020-01-01' as date)",
        end_date="cast('2031-01-01' as date)"
    ) }}
),

final as (
    select cast(days.date_day as date) as date_day
    from days
    cross join bounds
    where cast(days.date_day as date) between bounds.first_day and bounds.last_day
)

select * from final
