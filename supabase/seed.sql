-- Reference data applied to a new local database after the migrations. Idempotent: running it
-- again changes nothing.

insert into public.specialties (name, name_fr, name_he, name_en, name_ru, name_am, name_es) values
  ('General Medicine', 'Médecine générale', 'רפואה כללית', 'General Medicine', 'Общая медицина', 'አጠቃላይ ሕክምና', 'Medicina general'),
  ('Family Medicine', 'Médecine de famille', 'רפואת משפחה', 'Family Medicine', 'Семейная медицина', 'የቤተሰብ ሕክምና', 'Medicina familiar'),
  ('Cardiology', 'Cardiologie', 'קרדיולוגיה', 'Cardiology', 'Кардиология', 'የልብ ሕክምና', 'Cardiología'),
  ('Dermatology', 'Dermatologie', 'דרמטולוגיה', 'Dermatology', 'Дерматология', 'የቆዳ ሕክምና', 'Dermatología'),
  ('Pediatrics', 'Pédiatrie', 'רפואת ילדים', 'Pediatrics', 'Педиатрия', 'የሕፃናት ሕክምና', 'Pediatría'),
  ('Gynecology', 'Gynécologie', 'גינקולוגיה', 'Gynecology', 'Гинекология', 'የማህፀን ሕክምና', 'Ginecología'),
  ('Ophthalmology', 'Ophtalmologie', 'רפואת עיניים', 'Ophthalmology', 'Офтальмология', 'የዓይን ሕክምና', 'Oftalmología'),
  ('Otolaryngology (ENT)', 'Oto-rhino-laryngologie (ORL)', 'אף אוזן גרון', 'Otolaryngology (ENT)', 'Оториноларингология (ЛОР)', 'የጆሮ፣ የአፍንጫና የጉሮሮ ሕክምና', 'Otorrinolaringología'),
  ('Orthopedics', 'Orthopédie', 'אורתופדיה', 'Orthopedics', 'Ортопедия', 'የአጥንት ሕክምና', 'Ortopedia'),
  ('Psychiatry', 'Psychiatrie', 'פסיכיאטריה', 'Psychiatry', 'Психиатрия', 'የአእምሮ ሕክምና', 'Psiquiatría'),
  ('Neurology', 'Neurologie', 'נוירולוגיה', 'Neurology', 'Неврология', 'የነርቭ ሕክምና', 'Neurología'),
  ('Gastroenterology', 'Gastro-entérologie', 'גסטרואנטרולוגיה', 'Gastroenterology', 'Гастроэнтерология', 'የጨጓራና የአንጀት ሕክምና', 'Gastroenterología'),
  ('Endocrinology', 'Endocrinologie', 'אנדוקרינולוגיה', 'Endocrinology', 'Эндокринология', 'የሆርሞን ሕክምና', 'Endocrinología'),
  ('Urology', 'Urologie', 'אורולוגיה', 'Urology', 'Урология', 'የሽንት ቧንቧ ሕክምና', 'Urología'),
  ('Pulmonology', 'Pneumologie', 'רפואת ריאות', 'Pulmonology', 'Пульмонология', 'የሳንባ ሕክምና', 'Neumología'),
  ('Rheumatology', 'Rhumatologie', 'ראומטולוגיה', 'Rheumatology', 'Ревматология', 'የቁርጥማትና የመገጣጠሚያ ሕክምና', 'Reumatología'),
  ('Nephrology', 'Néphrologie', 'נפרולוגיה', 'Nephrology', 'Нефрология', 'የኩላሊት ሕክምና', 'Nefrología'),
  ('Oncology', 'Oncologie', 'אונקולוגיה', 'Oncology', 'Онкология', 'የካንሰር ሕክምና', 'Oncología'),
  ('Hematology', 'Hématologie', 'המטולוגיה', 'Hematology', 'Гематология', 'የደም ሕክምና', 'Hematología'),
  ('Allergy and Immunology', 'Allergologie et immunologie', 'אלרגיה ואימונולוגיה', 'Allergy and Immunology', 'Аллергология и иммунология', 'የአለርጂና የበሽታ መከላከያ ሕክምና', 'Alergología e inmunología'),
  ('Infectious Diseases', 'Maladies infectieuses', 'מחלות זיהומיות', 'Infectious Diseases', 'Инфекционные болезни', 'የተላላፊ በሽታዎች ሕክምና', 'Enfermedades infecciosas'),
  ('General Surgery', 'Chirurgie générale', 'כירורגיה כללית', 'General Surgery', 'Общая хирургия', 'አጠቃላይ ቀዶ ሕክምና', 'Cirugía general'),
  ('Plastic Surgery', 'Chirurgie plastique', 'כירורגיה פלסטית', 'Plastic Surgery', 'Пластическая хирургия', 'የፕላስቲክ ቀዶ ሕክምና', 'Cirugía plástica'),
  ('Dentistry', 'Chirurgie dentaire', 'רפואת שיניים', 'Dentistry', 'Стоматология', 'የጥርስ ሕክምና', 'Odontología'),
  ('Psychology', 'Psychologie', 'פסיכולוגיה', 'Psychology', 'Психология', 'ሥነ ልቦና', 'Psicología'),
  ('Physiotherapy', 'Kinésithérapie', 'פיזיותרפיה', 'Physiotherapy', 'Физиотерапия', 'ፊዚዮቴራፒ', 'Fisioterapia'),
  ('Nutrition and Dietetics', 'Diététique et nutrition', 'תזונה ודיאטה', 'Nutrition and Dietetics', 'Диетология', 'የሥነ ምግብ ምክር', 'Nutrición y dietética'),
  ('Geriatrics', 'Gériatrie', 'גריאטריה', 'Geriatrics', 'Гериатрия', 'የአረጋውያን ሕክምና', 'Geriatría'),
  ('Radiology', 'Radiologie', 'רדיולוגיה', 'Radiology', 'Радиология', 'ራዲዮሎጂ', 'Radiología'),
  ('Sports Medicine', 'Médecine du sport', 'רפואת ספורט', 'Sports Medicine', 'Спортивная медицина', 'የስፖርት ሕክምና', 'Medicina deportiva'),
  ('Speech Therapy', 'Orthophonie', 'קלינאות תקשורת', 'Speech Therapy', 'Логопедия', 'የንግግር ሕክምና', 'Logopedia'),
  ('Podiatry', 'Podologie', 'פודיאטריה', 'Podiatry', 'Подология', 'የእግር ሕክምና', 'Podología')
on conflict (name) do nothing;

-- Global reasons (practitioner_id null) have fixed ids: nothing else makes a reason unique.
insert into public.appointment_reasons (id, practitioner_id, label, label_fr, label_he, sort_order) values
  ('5eed0000-0000-4000-8000-000000000001', null, 'First consultation', 'Première consultation', 'ביקור ראשון', 10),
  ('5eed0000-0000-4000-8000-000000000002', null, 'Follow-up', 'Suivi / contrôle', 'ביקור מעקב', 20),
  ('5eed0000-0000-4000-8000-000000000003', null, 'Test results', 'Résultats d''examens', 'תוצאות בדיקות', 30),
  ('5eed0000-0000-4000-8000-000000000004', null, 'Prescription renewal', 'Renouvellement d''ordonnance', 'חידוש מרשם', 40),
  ('5eed0000-0000-4000-8000-000000000005', null, 'Medical certificate', 'Certificat médical', 'אישור רפואי', 50),
  ('5eed0000-0000-4000-8000-000000000006', null, 'Vaccination', 'Vaccination', 'חיסון', 60),
  ('5eed0000-0000-4000-8000-000000000007', null, 'Urgent consultation', 'Consultation urgente', 'ביקור דחוף', 70)
on conflict (id) do nothing;
