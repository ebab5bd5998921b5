-- one row per calendar month up to the as-of month, with its first and last day
with

days as (
    select * from {{ ref('util_day_spine') }}
),

months as (
    select distinct {{ month_start('date_day') }} as month_start_date
    from days
    where date_day <= {{ as_of_date() }}
),

final as (
    select
        month_start_date,
        cast({{ dbt.last_day('month_start_date', 'month') }} as date) as month_end_date
    from months
)

select * from final
