-- Every dose of a schedule item requires the same antigens and the same maximum age: a dose counts for
-- an item (not for one of its doses), and its dose number is its rank among the doses that count.
select vaccine_code
from {{ ref('vaccine_schedule') }}
group by vaccine_code
having count(distinct antigens) > 1 or count(distinct coalesce(max_age_days, -1)) > 1
